import {test} from 'node:test';
import assert from 'node:assert/strict';
import {buildJsonReport} from '../../source/report/json.ts';
import {renderReport} from '../../source/report/render.ts';
import {maxSummaryLines, summaryLines, type SummaryFacts} from '../../source/report/summary.ts';
import type {Acts} from '../../source/report/acts.ts';
import type {Finding, RankedCause} from '../../source/engine/types.ts';
import {schemaProblems} from './schema.ts';
import {interruptedEvents, poolExhaustionEvents, quietInterruptedEvents, replay, resumedEvents} from './fixtures.ts';

/* The summary for the incident channel. Actions and verification follow
 * cli-contract.md's `actions` and `verification` fields: what "act and
 * verify" journals, written here as the contract says it looks. */

const rootBlocker: Finding = {
	stepId: 'locks',
	ruleId: 'root-blocker',
	ref: 'locks.root-blocker',
	severity: 'critical',
	message: 'Root blocker pid 1996 (denokv/denokv, idle in transaction, in its transaction for 11 s) holds up 6 sessions: UPDATE data_version SET version = version + 1',
	brief: 'root blocker pid 1996 (denokv/denokv, idle in transaction, transaction open 11 s) blocks 6 sessions, the longest waiting 9.8 s',
	evidence: {pid: 1996},
};

const deadlocks: RankedCause = {
	id: 'deadlocks',
	title: 'Transaction deadlocks and lock contention',
	symptom: '',
	likelihood: 'likely',
	score: 0.95,
	evidence: [`locks: ${rootBlocker.message}`],
	findings: [rootBlocker],
	fixId: 'fix-deadlocks',
	fix: '',
};

const terminated: Acts = {
	actions: [
		{
			title: 'Terminate the root blocker',
			target: {pid: 1996, backend_start: '2024-05-01T02:40:00Z'},
			operator: 'alice@bastion-1',
			confirmedAt: '2024-05-01T03:12:09.000Z',
			status: 'done',
			result: 'pg_terminate_backend returned true',
			error: null,
		},
	],
	verifications: [
		{
			at: '2024-05-01T03:12:40.000Z',
			cleared: true,
			figures: [
				{stepId: 'locks', name: 'waiting ≥ 1 s', before: 6, after: 0},
				{stepId: 'locks', name: 'root blockers', before: 1, after: 0},
			],
		},
	],
};

function facts(over: Partial<SummaryFacts> = {}): SummaryFacts {
	return {
		verdict: 'critical',
		finished: true,
		target: {host: 'db-1', port: 5432, database: 'denokv', user: 'oncall'},
		startedAt: '2024-05-01T03:10:00.000Z',
		causes: [deadlocks],
		findings: [rootBlocker],
		fix: {title: 'Clear the lock chain', chosen: true, by: 'operator', operator: 'alice@bastion-1'},
		acts: {actions: [], verifications: []},
		location: 'bastion-1:/home/alice/.local/state/pg500/2024-05-01T03-10-00.html',
		...over,
	};
}

test('the summary of an incident acted on: verdict and cause, evidence with figures, fix, who did what when, before → after, where', () => {
	assert.deepEqual(summaryLines(facts({acts: terminated})), [
		'CRITICAL: Transaction deadlocks and lock contention (likely) — denokv on db-1:5432, 2024-05-01 03:10 UTC',
		'Evidence: root blocker pid 1996 (denokv/denokv, idle in transaction, transaction open 11 s) blocks 6 sessions, the longest waiting 9.8 s',
		'Fix: Clear the lock chain — chosen by alice@bastion-1',
		'Actions: Terminate the root blocker on pid 1996: done — by alice@bastion-1 at 03:12 UTC',
		'Verified at 03:12 UTC: cleared — waiting ≥ 1 s 6 → 0, root blockers 1 → 0',
		'Full report: bastion-1:/home/alice/.local/state/pg500/2024-05-01T03-10-00.html',
	]);
});

test('an action that failed, one refused, a verification that did not clear: said plainly', () => {
	const acts: Acts = {
		actions: [
			{...terminated.actions[0]!, status: 'failed', error: 'permission denied to terminate process'},
			{...terminated.actions[0]!, title: 'Set idle_in_transaction_session_timeout', target: {role: 'denokv'}, status: 'refused', result: 'the operator did not type yes'},
			{...terminated.actions[0]!, title: 'Terminate a leaked session', target: {pid: 2001}, status: 'skipped', result: 'gone by then'},
		],
		verifications: [{...terminated.verifications[0]!, cleared: false, figures: [{stepId: 'locks', name: 'waiting ≥ 1 s', before: 6, after: 6}]}],
	};
	const lines = summaryLines(facts({acts}));
	assert.equal(
		lines[3],
		'Actions: Terminate the root blocker on pid 1996: failed (permission denied to terminate process); Set idle_in_transaction_session_timeout on role denokv: refused; 1 more — by alice@bastion-1 at 03:12 UTC',
	);
	assert.equal(lines[4], 'Verified at 03:12 UTC: NOT cleared — waiting ≥ 1 s 6 → 6');
	// Acted on, not yet looked at again.
	assert.equal(summaryLines(facts({acts: {actions: terminated.actions, verifications: []}}))[4], 'Verification: not run yet');
});

test('one confirmation that ended many sessions is one action: its targets named up to three, its outcomes counted', () => {
	const leaked = (pid: number, status: 'done' | 'skipped' = 'done') => ({...terminated.actions[0]!, title: 'End the leaked sessions', target: {pid}, status, result: 'r'});
	const acts: Acts = {actions: [leaked(2000), leaked(2001), leaked(2002), leaked(2003, 'skipped'), leaked(2004)], verifications: []};
	assert.equal(summaryLines(facts({acts}))[3], 'Actions: End the leaked sessions on 5 targets (pid 2000, pid 2001, pid 2002, …): 4 done, 1 skipped — by alice@bastion-1 at 03:12 UTC');
});

test('at most six plain lines, whatever the findings say: no line breaks, no backticks, no runaway line', () => {
	const noisy: Finding = {...rootBlocker, brief: undefined, message: `\`rm -rf\` ${'x'.repeat(900)}\nsecond line`};
	const lines = summaryLines(facts({causes: [{...deadlocks, findings: [noisy, rootBlocker]}], acts: terminated}));
	assert.equal(lines.length, maxSummaryLines);
	for (const line of lines) {
		assert.ok(line.length <= 220, `${line.length} characters`);
		assert.ok(!/[`\n]/.test(line), line);
	}
	assert.match(lines[1]!, /^Evidence: 'rm -rf' x+…; root blocker pid 1996/, 'a message without a brief is cut short');
});

test('an Actions line too long for the channel: what was done ends after a whole word, and who did it and when stay', () => {
	const setting = (n: number) => ({...terminated.actions[0]!, title: `End leaked transactions automatically: idle_in_transaction_session_timeout = '60s' for the database number ${n}`, target: {database: 'timeouts_2'}});
	const [, , , acted] = summaryLines(facts({acts: {actions: [setting(1), setting(2), setting(3)], verifications: []}}));
	assert.equal(acted!.length <= 220, true, acted);
	// The titles give up words alike; every outcome, who acted and when stay.
	assert.match(acted!, /^Actions: (End leaked [^;]*… on database timeouts_2: done; ){2}1 more — by alice@bastion-1 at 03:12 UTC$/);
	const words = new Set(setting(1).title.split(/[\s:;,]+/));
	for (const [, last] of acted!.matchAll(/(\S+)… on database/g)) assert.ok(words.has(last!), `a title ends in a whole word: '${last}' in ${acted}`);
});

test('ok, unknown, and a warning no cause explains', () => {
	assert.deepEqual(summaryLines(facts({verdict: 'ok', causes: [{...deadlocks, likelihood: 'unlikely', score: 0, findings: []}], findings: [], fix: null})), [
		'OK: nothing anomalous found — denokv on db-1:5432, 2024-05-01 03:10 UTC',
		'Full report: bastion-1:/home/alice/.local/state/pg500/2024-05-01T03-10-00.html',
	]);
	const unknown = summaryLines(facts({verdict: 'unknown', finished: false, causes: [], findings: [], fix: null, location: undefined}));
	assert.deepEqual(unknown, ['UNKNOWN: the session stopped before the run finished; nothing found so far — denokv on db-1:5432, 2024-05-01 03:10 UTC', 'Actions: none taken']);
	const warning = summaryLines(facts({verdict: 'warning', causes: [{...deadlocks, likelihood: 'unlikely'}], findings: [{...rootBlocker, severity: 'warning', brief: 'index kv_store_pkey is invalid'}], fix: null}));
	assert.match(warning[0]!, /^WARNING: no cause is likely/);
	assert.equal(warning[1], 'Evidence: index kv_store_pkey is invalid');
});

test('--format summary prints the lines of the JSON report’s summary; every other format starts with them', () => {
	for (const events of [poolExhaustionEvents(), interruptedEvents(), quietInterruptedEvents(), resumedEvents()]) {
		const state = replay(events);
		const json = JSON.parse(renderReport(state, 'json', {location: 'host:/tmp/r.html'})) as ReturnType<typeof buildJsonReport>;
		assert.deepEqual(schemaProblems(json), []);
		const text = renderReport(state, 'summary', {location: 'host:/tmp/r.html'});
		assert.equal(text, `${json.summary.join('\n')}\n`);
		assert.ok(json.summary.length <= maxSummaryLines);
		assert.equal(json.summary.at(-1), 'Full report: host:/tmp/r.html');
		const md = renderReport(state, 'markdown', {location: 'host:/tmp/r.html'});
		assert.ok(md.indexOf(json.summary[0]!) < md.indexOf('## '), 'markdown: before any section');
		const html = renderReport(state, 'html', {location: 'host:/tmp/r.html'});
		assert.ok(html.indexOf(json.summary[0]!) < html.indexOf('<h2>'), 'html: before any section');
	}
});

test('the summary carries no password and, with --redact-literals, no literal of a query', () => {
	const text = renderReport(replay(poolExhaustionEvents()), 'summary', {redactLiterals: true});
	assert.ok(!text.includes('hunter2'));
	assert.ok(!text.includes('card-4111'), text);
});
