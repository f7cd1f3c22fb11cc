import {test} from 'node:test';
import assert from 'node:assert/strict';
import {buildJsonReport, interrupted, maxReportRows, notRunYet} from '../../source/report/json.ts';
import {renderReport} from '../../source/report/render.ts';
import {initialState} from '../../source/engine/reducer.ts';
import {createSession} from '../../source/session/controller.ts';
import type {Executor} from '../../source/checks/executor.ts';
import type {RunEvent, RunState, StepOutcome} from '../../source/engine/types.ts';
import {loadRunbook} from '../../source/runbook/load.ts';
import {schemaProblems} from './schema.ts';
import {interruptedEvents, poolExhaustionEvents, quietInterruptedEvents, replay, smallRunbook, target} from './fixtures.ts';

test('a finished run: contract fields, steps in runbook order then the follow-up that ran, causes ranked', () => {
	const report = buildJsonReport(replay(poolExhaustionEvents()));
	assert.deepEqual(schemaProblems(report), []);
	assert.equal(report.schemaVersion, 1);
	assert.deepEqual(report.tool, {name: 'pg500', version: '1.2.3'});
	assert.deepEqual(report.runbook, {id: 'small-500', title: 'Small 500 runbook', path: 'runbooks/small-500.yaml', version: '3'});
	assert.deepEqual(report.target, {...target, serverVersion: '16.4', pooler: null});
	assert.equal(report.verdict, 'critical');
	// Buckets in seconds, and in minutes for readers of schema 1 from before.
	assert.deepEqual(report.steps[0]!.histogram, {start: '2024-05-01T02:50:00.000Z', bucketSeconds: 60, bucketMinutes: 1, counts: [0, 1, 3, 0, 12, 40, 80, 60, 30, 14]});
	assert.equal(report.finished, true);
	assert.equal(report.finishedAt, '2024-05-01T03:00:51.000Z');
	assert.deepEqual(
		report.steps.map(s => [s.id, s.status]),
		[
			['server-logs', 'critical'],
			['connect', 'ok'],
			['connections', 'critical'],
			['next-steps', 'manual'],
			['fix-pool/leaked-sessions', 'warning'],
		],
	);
	const connections = report.steps[2]!;
	assert.equal(connections.durationMs, 12);
	assert.equal(connections.startedAt, '2024-05-01T03:00:05.000Z');
	assert.match(connections.note!, /^restarted worker 3/);
	assert.deepEqual(connections.findings.map(f => f.severity), ['critical']);
	assert.equal(connections.findings[0]!.evidence['used_pct'], 100);
	assert.equal(report.steps[3]!.done, true);
	assert.deepEqual(report.causes.map(c => [c.id, c.likelihood]), [['pool-exhaustion', 'likely'], ['connection-failure', 'unlikely']]);
	assert.equal(report.causes[0]!.evidence.length, 2);
	assert.match(report.causes[0]!.evidence[0]!, /^server-logs: 240 pool errors/);
	assert.equal(report.causes[0]!.fix, 'Terminate leaked sessions and set idle_in_transaction_session_timeout.');
	assert.deepEqual(report.fix && {id: report.fix.id, chosen: report.fix.chosen, by: report.fix.by}, {id: 'fix-pool', chosen: true, by: 'operator'});
	assert.deepEqual(report.exports, [{path: '/tmp/incident-42.md', format: 'markdown', at: '2024-05-01T03:00:50.000Z'}]);
	assert.equal(report.timeline.at(-1)!.event, 'run finished');
});

test('rows are capped at 50 while rowCount keeps the total', () => {
	const followUp = buildJsonReport(replay(poolExhaustionEvents())).steps.at(-1)!;
	assert.equal(followUp.rows.length, maxReportRows);
	assert.equal(followUp.rowCount, 60);
});

test('an interrupted run is reported honestly: the running step is an error, pending ones "not run yet", not finished', () => {
	const report = buildJsonReport(replay(interruptedEvents()));
	assert.deepEqual(schemaProblems(report), []);
	assert.equal(report.finished, false);
	assert.equal(report.finishedAt, '2024-05-01T03:00:05.000Z', 'the last recorded moment');
	const byId = Object.fromEntries(report.steps.map(s => [s.id, s]));
	assert.deepEqual([byId['connections']!.status, byId['connections']!.reason, byId['connections']!.durationMs], ['error', interrupted, null]);
	assert.deepEqual([byId['next-steps']!.status, byId['next-steps']!.reason], ['skipped', notRunYet]);
	// What it did see still counts.
	assert.equal(report.verdict, 'critical');
	assert.equal(report.fix?.chosen, false, 'the ranking recommends a fix nobody chose yet');
	assert.equal(report.fix?.id, 'fix-pool');
});

test('an interrupted run that saw nothing wrong says unknown, not ok', () => {
	const report = buildJsonReport(replay(quietInterruptedEvents()));
	assert.deepEqual(schemaProblems(report), []);
	assert.equal(report.verdict, 'unknown');
	assert.equal(report.fix, null, 'no cause is likely: no fix recommended');
	const finished = replay([...quietInterruptedEvents(), {type: 'run-finished', at: '2024-05-01T03:01:00.000Z'}]);
	assert.equal(buildJsonReport(finished).verdict, 'ok');
	assert.equal(buildJsonReport(finished).steps[1]!.reason, 'not reached on the path the run took');
});

test('a journal with no run start still gives a valid report', () => {
	const report = buildJsonReport(initialState(smallRunbook()));
	assert.deepEqual(schemaProblems(report), []);
	assert.equal(report.target, null);
	assert.equal(report.verdict, 'unknown');
});

test('step errors carry message, hint and SQLSTATE', () => {
	const events: RunEvent[] = [
		...quietInterruptedEvents(),
		{type: 'step-started', at: '2024-05-01T03:00:10.000Z', stepId: 'connect'},
		{type: 'step-finished', at: '2024-05-01T03:00:11.000Z', stepId: 'connect', durationMs: 5000, outcome: {rows: [], rowCount: 0, error: {message: 'canceling statement due to statement timeout', hint: 'raise --statement-timeout', sqlstate: '57014'}}},
	];
	const report = buildJsonReport(replay(events));
	assert.deepEqual(schemaProblems(report), []);
	assert.deepEqual(report.steps[1]!.error, {message: 'canceling statement due to statement timeout', hint: 'raise --statement-timeout', sqlstate: '57014'});
	assert.equal(report.verdict, 'warning', 'a step that could not run is never ok');
});

test('the schema rejects what the contract forbids', () => {
	const report = buildJsonReport(replay(poolExhaustionEvents()));
	assert.notDeepEqual(schemaProblems({...report, verdict: 'fine'}), []);
	assert.notDeepEqual(schemaProblems({...report, target: {...report.target, password: 'x'}}), []);
	assert.notDeepEqual(schemaProblems({...report, steps: [{...report.steps[0], status: 'pending'}]}), []);
	assert.notDeepEqual(schemaProblems({...report, startedAt: 'yesterday'}), []);
});

/** Runs the real default runbook headless, each step answering with the given rows. */
async function runDefault(outcomes: Record<string, StepOutcome>): Promise<RunState> {
	const runbook = await loadRunbook();
	const executor: Executor = {
		target,
		run: async (_step, stepId) => outcomes[stepId] ?? {rows: [], rowCount: 0},
		serverVersion: () => '16.4',
		close: async () => {},
	};
	const session = createSession({state: initialState(runbook), executor});
	session.start();
	return session.runToEnd();
}

test('the default runbook: fixed step and cause ids, all seven causes, valid against the schema', async () => {
	const state = await runDefault({
		'server-logs': {
			rows: [{class: 'pool-timeout', cause: 'pool-exhaustion', count: 500, first_seen: null, last_seen: null, per_minute: 50, sample: 'Database error: pool timed out', sqlstate: null}],
			rowCount: 1,
			histogram: {start: '2024-05-01T02:50:00.000Z', bucketSeconds: 60, counts: [1, 5, 50, 120]},
		},
		connect: {rows: [{server_version: '16.4', server_version_num: 160004, current_user: 'app', database: 'denokv', superuser: true, pg_monitor: true, pg_read_all_stats: true, pg_read_server_files: true, in_recovery: false}], rowCount: 1},
		connections: {rows: [{used: 97, usable: 97, used_pct: 100, idle_in_tx: 40, oldest_idle_in_tx_s: 300, oldest_idle_in_tx_pid: 42, oldest_idle_in_tx_by: 'app/denokv', oldest_idle_in_tx_query: 'SELECT 1', long_active: 0}], rowCount: 1},
	});
	for (const format of ['json', 'markdown', 'html'] as const) assert.ok(renderReport(state, format).length > 0);
	const report = buildJsonReport(state);
	assert.deepEqual(schemaProblems(report), []);
	const ids = report.steps.map(s => s.id);
	for (const id of ['server-logs', 'postgres-logs', 'connections', 'locks', 'timeouts', 'schema']) assert.ok(ids.includes(id), id);
	assert.deepEqual(report.causes.map(c => c.id).sort(), ['connection-failure', 'deadlocks', 'pool-exhaustion', 'pooler', 'read-only-target', 'schema', 'timeouts']);
	assert.equal(report.causes[0]!.id, 'pool-exhaustion');
	assert.equal(report.verdict, 'critical');
	assert.equal(report.fix?.chosen, true);
	assert.equal(report.fix?.by, 'auto');
	assert.ok(ids.some(id => id.startsWith(`${report.fix!.id}/`)), 'the chosen fix follow-ups that ran are listed');
});
