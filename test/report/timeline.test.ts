import {test} from 'node:test';
import assert from 'node:assert/strict';
import {incidentTimeline} from '../../source/report/timeline.ts';
import {renderReport} from '../../source/report/render.ts';
import type {Acts} from '../../source/report/acts.ts';
import {redactState} from '../../source/report/redact.ts';
import {formatDuration} from '../../source/text/duration.ts';
import {at, poolExhaustionEvents, replay, resumedEvents} from './fixtures.ts';

/* The incident timeline: one ordered list of what happened, from the logs'
 * first errors to the verification, with who did what and where the
 * session broke off. */

const noActs: Acts = {actions: [], verifications: []};

test('a resumed session: where it broke off (how, while which step), who took it up, after how long, with which pg500', () => {
	const entries = incidentTimeline(replay(resumedEvents()), noActs).filter(e => e.kind === 'session');
	assert.deepEqual(
		entries.map(e => [e.at, e.operator, e.event]),
		[
			[at(0), 'alice@bastion-1', 'session started by alice@bastion-1 (pg500 1.2.3, runbook small-500 v3) against app@db.internal:5432/denokv'],
			[at(5.5), 'alice@bastion-1', 'session ended: hang-up (SIGHUP): the terminal or the SSH link closed, while Connections | slots was running'],
			[at(1205), 'bob@bastion-2', 'session resumed by bob@bastion-2, pg500 1.2.4 after 20 min'],
		],
	);
});

test('each person’s note, tick and choice of fix is theirs; both operators are in every format', () => {
	const state = replay(resumedEvents());
	const entries = incidentTimeline(state, noActs);
	const byKind = (kind: string) => entries.find(e => e.kind === kind)!;
	assert.equal(byKind('note').operator, 'bob@bastion-2');
	assert.equal(byKind('manual').operator, 'bob@bastion-2');
	assert.equal(byKind('fix').operator, 'bob@bastion-2');
	for (const format of ['markdown', 'html', 'chat', 'json'] as const) {
		const text = renderReport(state, format);
		assert.ok(text.includes('alice@bastion-1') && text.includes('bob@bastion-2'), format);
	}
	const md = renderReport(state, 'markdown');
	assert.match(md, /- \*\*Run by:\*\* alice@bastion-1 with pg500 1\.2\.3, 03:00:00–03:00:05 UTC; ended: hang-up\n/);
	assert.match(md, /- \*\*Resumed by:\*\* bob@bastion-2 with pg500 1\.2\.4, 03:20:05–03:20:51 UTC, after a gap of 20 min\n/);
	const json = JSON.parse(renderReport(state, 'json'));
	assert.deepEqual(
		json.sessions.map((s: {operator: string; gapMs: number | null; endedBy: string | null; interruptedStep: string | null}) => [s.operator, s.gapMs, s.endedBy, s.interruptedStep]),
		[
			['alice@bastion-1', null, 'SIGHUP', null],
			['bob@bastion-2', 1_199_500, null, 'connections'],
		],
	);
});

test('actions and the verification take their place in time, with who did them and the figures before → after', () => {
	const acts: Acts = {
		actions: [
			{title: 'Terminate the leaked session', target: {pid: 4242}, operator: 'bob@bastion-2', confirmedAt: at(48), status: 'done', result: 'terminated', error: null},
			{title: 'Set idle_in_transaction_session_timeout', target: {role: 'app'}, operator: 'bob@bastion-2', confirmedAt: at(49), status: 'failed', result: 'not changed', error: 'permission denied'},
		],
		verifications: [{at: at(50.5), cleared: false, figures: [{stepId: 'connections', name: 'slots used %', before: 100, after: 96.5}]}],
	};
	const entries = incidentTimeline(redactState(replay(poolExhaustionEvents())), acts);
	const tail = entries.slice(entries.findIndex(e => e.kind === 'action'));
	assert.deepEqual(
		tail.map(e => [e.at, e.kind, e.operator, e.mark, e.event]),
		[
			[at(48), 'action', 'bob@bastion-2', 'ok', 'Terminate the leaked session on pid 4242: done — terminated'],
			[at(49), 'action', 'bob@bastion-2', 'critical', 'Set idle_in_transaction_session_timeout on role app: failed — not changed (permission denied)'],
			[at(50.5), 'verification', null, 'critical', 'verification: not cleared — slots used % 100 → 96.5'],
			[at(51), 'run', null, null, 'run finished'],
		],
	);
});

test('oldest first: the log’s errors from before the session, then the checks in the order they ended', () => {
	const entries = incidentTimeline(replay(poolExhaustionEvents()), noActs);
	const times = entries.map(e => Date.parse(e.at));
	assert.deepEqual([...times].sort((a, b) => a - b), times);
	assert.deepEqual(entries.slice(0, 3).map(e => e.kind), ['log', 'log', 'session']);
	const firstCheck = entries.findIndex(e => e.kind === 'check');
	assert.ok(entries.findIndex(e => e.kind === 'log') < firstCheck);
	assert.ok(!entries.some(e => /^(started|finished) /.test(e.event)), 'no started/finished pairs');
});

test('durations read as a person says them, never "60 s"', () => {
	assert.deepEqual(
		[850, 59_600, 125_000, 1_199_500, 4_500_000, 7_200_000].map(formatDuration),
		['850 ms', '59.6 s', '2 min 5 s', '20 min', '1 h 15 min', '2 h'],
	);
});
