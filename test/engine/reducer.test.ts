import {test} from 'node:test';
import assert from 'node:assert/strict';
import {initialState, reduce} from '../../source/engine/reducer.ts';
import {verdictOf, exitCodes} from '../../source/engine/verdict.ts';
import type {RunEvent, StepOutcome} from '../../source/engine/types.ts';
import {at, finished, makeRunbook, play, runStep, sqlStep, started} from './fixtures.ts';

const runbook = makeRunbook({
	thresholds: {busy: 10},
	steps: [
		sqlStep('conn', {
			title: 'Connections',
			rules: [{id: 'busy', per: 'row', message: '{n} busy', warning: {column: 'n', gte: '$busy'}, critical: {column: 'n', gte: 50}}],
		}),
		sqlStep('logs', {kind: 'log', query: undefined, source: 'server-log', rules: [{id: 'seen', per: 'row', message: '{class}', info: {column: 'count', gt: 0}}]}),
		sqlStep('read', {kind: 'info', query: undefined, instructions: ['read this']}),
		sqlStep('ask', {kind: 'manual', query: undefined, instructions: ['ask the team']}),
	],
});
const fresh = () => initialState(runbook);

const target = {host: 'db.internal', port: 5432, database: 'denokv', user: 'ops', serverVersion: null};
const session: RunEvent[] = [
	{type: 'run-started', at: '2026-01-01T03:00:00.000Z', tool: {name: 'pg500', version: '1.2.3'}, target, runbookPath: 'test.yaml'},
	{type: 'step-started', at: '2026-01-01T03:00:01.000Z', stepId: 'conn'},
	{type: 'step-finished', at: '2026-01-01T03:00:02.000Z', stepId: 'conn', durationMs: 12, outcome: {rows: [{n: '12'}], rowCount: 1, columns: ['n'], query: 'select n'}},
	{type: 'target-identified', at: '2026-01-01T03:00:02.000Z', serverVersion: '16.4'},
	{type: 'note-set', at: '2026-01-01T03:00:03.000Z', stepId: 'conn', text: 'pool is 10'},
	{type: 'step-skipped', at: '2026-01-01T03:00:04.000Z', stepId: 'logs', reason: 'no log given'},
	{type: 'step-started', at: '2026-01-01T03:00:05.000Z', stepId: 'ask'},
	{type: 'step-finished', at: '2026-01-01T03:00:05.000Z', stepId: 'ask', durationMs: 0, outcome: {rows: [], rowCount: 0}},
	{type: 'manual-done', at: '2026-01-01T03:00:06.000Z', stepId: 'ask'},
	{type: 'report-exported', at: '2026-01-01T03:00:07.000Z', path: '/tmp/r.md', format: 'markdown'},
	{type: 'run-finished', at: '2026-01-01T03:00:08.000Z'},
];

test('a whole session: the state it leaves', () => {
	const s = play(runbook, session);
	assert.deepEqual(s.tool, {name: 'pg500', version: '1.2.3'});
	assert.deepEqual(s.target, {...target, serverVersion: '16.4'});
	assert.equal(s.startedAt, '2026-01-01T03:00:00.000Z');
	assert.equal(s.finishedAt, '2026-01-01T03:00:08.000Z');
	assert.equal(s.steps.conn!.status, 'warning');
	assert.equal(s.steps.conn!.note, 'pool is 10');
	assert.equal(s.steps.conn!.durationMs, 12);
	assert.equal(s.steps.conn!.query, 'select n');
	assert.deepEqual(s.steps.conn!.columns, ['n']);
	assert.equal(s.steps.conn!.startedAt, '2026-01-01T03:00:01.000Z');
	assert.deepEqual(s.steps.logs, {...fresh().steps.logs, status: 'skipped', skipReason: 'no log given'});
	assert.equal(s.steps.ask!.status, 'manual');
	assert.equal(s.steps.ask!.done, true);
	assert.equal(s.steps.read!.status, 'skipped', 'never reached');
	assert.deepEqual(s.exports, [{path: '/tmp/r.md', format: 'markdown', at: '2026-01-01T03:00:07.000Z'}]);
	assert.deepEqual(s.visited, ['conn', 'ask']);
	assert.equal(s.steps.conn!.noteAt, '2026-01-01T03:00:03.000Z');
	assert.equal(s.steps.ask!.doneAt, '2026-01-01T03:00:06.000Z');
	// Who ran it: one part, from run-started to its last event; this journal predates the operator.
	assert.deepEqual(s.sessions, [{operator: null, tool: {name: 'pg500', version: '1.2.3'}, startedAt: '2026-01-01T03:00:00.000Z', lastAt: '2026-01-01T03:00:08.000Z'}]);
});

test('a resumed session: a part per resume, the step cut off, how the part before stopped', () => {
	const cut = session.findIndex(e => e.type === 'step-started' && e.stepId === 'ask') + 1;
	const events: RunEvent[] = [
		{...session[0]!, operator: 'alice@bastion-1'} as RunEvent,
		...session.slice(1, cut),
		{type: 'session-ended', at: '2026-01-01T03:00:05.500Z', how: 'SIGHUP'},
		{type: 'session-resumed', at: '2026-01-01T03:20:00.000Z', gapMs: 1_194_500, after: 'SIGHUP', tool: {name: 'pg500', version: '1.2.4'}, operator: 'bob@bastion-2'},
		{type: 'step-started', at: '2026-01-01T03:20:01.000Z', stepId: 'ask'},
		{type: 'fix-chosen', at: '2026-01-01T03:20:02.000Z', fixId: 'x', by: 'operator'},
	];
	const s = play(runbook, events);
	assert.deepEqual(s.sessions, [
		{operator: 'alice@bastion-1', tool: {name: 'pg500', version: '1.2.3'}, startedAt: '2026-01-01T03:00:00.000Z', lastAt: '2026-01-01T03:00:05.500Z', endedBy: 'SIGHUP'},
		{operator: 'bob@bastion-2', tool: {name: 'pg500', version: '1.2.4'}, startedAt: '2026-01-01T03:20:00.000Z', lastAt: '2026-01-01T03:20:02.000Z', interruptedStep: 'ask'},
	]);
	assert.deepEqual(s.chosenFix, {id: 'x', by: 'operator', at: '2026-01-01T03:20:02.000Z'});
});

test('a resume without who and where (an older journal, or one edited) is an unknown operator and tool, not a crash', () => {
	const s = play(runbook, [session[0]!, {type: 'session-resumed', at: '2026-01-01T03:20:00.000Z'} as unknown as RunEvent]);
	assert.deepEqual(s.sessions[1], {operator: null, tool: {name: 'pg500', version: 'unknown'}, startedAt: '2026-01-01T03:20:00.000Z', lastAt: '2026-01-01T03:20:00.000Z'});
});

test('replaying the same events gives equal states, and the input state is never changed', () => {
	const once = play(runbook, session);
	const twice = play(runbook, session);
	assert.deepEqual(once, twice);
	const before = structuredClone(fresh());
	const start = fresh();
	session.reduce(reduce, start);
	assert.deepEqual(start, before);
});

test('an empty note clears the note', () => {
	let s = reduce(fresh(), {type: 'note-set', at: at(), stepId: 'conn', text: 'x'});
	s = reduce(s, {type: 'note-set', at: at(), stepId: 'conn', text: ''});
	assert.equal(s.steps.conn!.note, undefined);
});

test('events about unknown steps change nothing', () => {
	const s = reduce(fresh(), {type: 'note-set', at: at(), stepId: 'nope', text: 'x'});
	assert.deepEqual(s, fresh());
	const f = reduce(fresh(), finished('nope', [{n: 1}]));
	assert.deepEqual(f.steps, fresh().steps);
});

test('a step’s status: its worst finding; info alone is ok; info and manual steps are manual', () => {
	assert.equal(runStep(fresh(), 'conn', [{n: 9}]).steps.conn!.status, 'ok');
	assert.equal(runStep(fresh(), 'conn', [{n: 10}]).steps.conn!.status, 'warning');
	assert.equal(runStep(fresh(), 'conn', [{n: 9}, {n: 50}]).steps.conn!.status, 'critical');
	const logs = runStep(fresh(), 'logs', [{class: 'deadlock', count: 3}]);
	assert.equal(logs.steps.logs!.status, 'ok');
	assert.deepEqual(logs.steps.logs!.findings.map(f => f.severity), ['info']);
	assert.equal(runStep(fresh(), 'read').steps.read!.status, 'manual');
	assert.equal(runStep(fresh(), 'ask').steps.ask!.status, 'manual');
});

test('a step the tool could not do itself is manual, with the reason and the commands as rows', () => {
	const s = runStep(fresh(), 'logs', [{command: 'journalctl -u denokv'}], {manual: 'no --server-log given'});
	assert.equal(s.steps.logs!.status, 'manual');
	assert.equal(s.steps.logs!.manual, 'no --server-log given');
});

test('a histogram journaled before buckets of seconds (bucketMinutes) replays in seconds', () => {
	const legacy = {start: '2024-05-01T02:50:00.000Z', bucketMinutes: 2, counts: [1, 5]} as unknown as StepOutcome['histogram'];
	const s = runStep(fresh(), 'logs', [], {histogram: legacy});
	assert.deepEqual(s.steps.logs!.histogram, {start: '2024-05-01T02:50:00.000Z', bucketSeconds: 120, counts: [1, 5]});
});

test('executor notices become findings first and count for the status', () => {
	const s = runStep(fresh(), 'conn', [{n: 1}], {notices: [{id: 'hidden', severity: 'warning', message: 'cannot see other roles'}]});
	assert.equal(s.steps.conn!.status, 'warning');
	assert.deepEqual(s.steps.conn!.findings.map(f => [f.ref, f.severity, f.message]), [['conn.hidden', 'warning', 'cannot see other roles']]);
});

test('a step error: status error, rules not judged, notices kept; a re-run clears it', () => {
	let s = runStep(fresh(), 'conn', [{n: 99}], {
		error: {message: 'canceling statement due to statement timeout', sqlstate: '57014'},
		notices: [{id: 'hidden', severity: 'info', message: 'cannot see other roles'}],
	});
	assert.equal(s.steps.conn!.status, 'error');
	assert.deepEqual(s.steps.conn!.findings.map(f => f.ref), ['conn.hidden']);
	assert.equal(s.steps.conn!.error?.sqlstate, '57014');
	s = reduce(s, started('conn'));
	assert.equal(s.steps.conn!.status, 'running');
	assert.equal(s.steps.conn!.error, undefined);
	s = reduce(s, finished('conn', [{n: 1}]));
	assert.equal(s.steps.conn!.status, 'ok');
});

test('a re-run replaces the findings of the run before', () => {
	let s = runStep(fresh(), 'conn', [{n: 60}]);
	assert.equal(s.steps.conn!.findings.length, 1);
	s = reduce(s, started('conn'));
	assert.deepEqual(s.steps.conn!.findings, []);
	s = reduce(s, finished('conn', [{n: 1}]));
	assert.deepEqual(s.steps.conn!.findings, []);
	assert.equal(verdictOf(s), 'ok');
});

test('verdict: the worst finding; an error step makes it a warning at least', () => {
	assert.equal(verdictOf(fresh()), 'ok');
	assert.equal(verdictOf(runStep(fresh(), 'logs', [{class: 'x', count: 1}])), 'ok', 'info findings alone are ok');
	assert.equal(verdictOf(runStep(fresh(), 'conn', [{n: 10}])), 'warning');
	assert.equal(verdictOf(runStep(fresh(), 'conn', [{n: 50}])), 'critical');
	const broken = runStep(fresh(), 'conn', [], {error: {message: 'connection lost'}});
	assert.equal(verdictOf(broken), 'warning');
	assert.equal(verdictOf(runStep(broken, 'logs', [{class: 'x', count: 1}])), 'warning');
	const worse = runStep(runStep(fresh(), 'conn', [], {error: {message: 'lost'}}), 'logs', [], {
		notices: [{id: 'x', severity: 'critical', message: 'm'}],
	});
	assert.equal(verdictOf(worse), 'critical');
	assert.deepEqual(exitCodes, {ok: 0, warning: 1, critical: 2, unknown: 3});
});
