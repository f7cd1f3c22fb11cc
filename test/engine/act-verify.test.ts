import {test} from 'node:test';
import assert from 'node:assert/strict';
import {decidePermissions, planActions, type PrivilegeFacts} from '../../source/engine/actions.ts';
import {rankedCauses} from '../../source/engine/causes.ts';
import {fixText, fixSteps} from '../../source/engine/fix-text.ts';
import {reduce} from '../../source/engine/reducer.ts';
import {verdictOf} from '../../source/engine/verdict.ts';
import type {Row, RunEvent, RunState} from '../../source/engine/types.ts';
import {stepsToVerify} from '../../source/engine/verification.ts';
import {watchJson} from '../../source/report/watch-json.ts';
import {incidentTimeline} from '../../source/report/timeline.ts';
import {checkGraph} from '../../source/runbook/graph.ts';
import type {RunbookInput} from '../../source/runbook/schema.ts';
import {at, makeRunbook, play, runStep, sqlStep} from './fixtures.ts';

/* Acting and verifying, pure: which rows an action acts on and with which
 * SQL, who may, what a verification compares, and that nothing observed
 * after the fix was chosen rewrites the diagnosis. */

const connectRow = {server_version_num: 180000, deadlocks: 6, database: 'app'};
const root = (pid: number, extra: Row = {}): Row => ({
	kind: 'root',
	pid,
	role: 'denokv',
	state: 'idle in transaction',
	waiting: 4,
	backend_start: '2026-01-01 03:00:00.123456+00',
	xact_start: '2026-01-01 03:00:01.5+00',
	...extra,
});

const parts: Partial<RunbookInput> & {steps: RunbookInput['steps']} = {
	thresholds: {waits: 3},
	steps: [
		{id: 'connect', title: 'Connect', why: 'w', kind: 'connect'},
		sqlStep('locks', {
			rules: [
				{id: 'root', message: 'root {pid} holds up {waiting}', figure: {name: 'root blockers'}, critical: {all: [{column: 'kind', eq: 'root'}, {column: 'waiting', gte: '$waits'}]}},
				{id: 'deadlocks', per: 'result', message: 'rose to {deadlocks}', figure: {name: 'deadlocks', column: 'deadlocks'}, critical: {column: 'deadlocks', gt: '@connect.deadlocks'}},
			],
		}),
		sqlStep('settings', {rules: [{id: 'low', message: '{role} gets {timeout}', warning: {column: 'timeout_ms', lt: 1000}}]}),
	],
	causes: [
		{id: 'chain', title: 'Lock chain', symptom: 's', check: 'c', fix: 'end-it', evidence: [{finding: 'locks.root', weight: 0.9}, {finding: 'locks.deadlocks', weight: 0.9}]},
		{id: 'slow', title: 'Timeouts', symptom: 's', check: 'c', fix: 'loosen', evidence: [{finding: 'settings.low', weight: 0.5}]},
	],
	fixes: [
		{
			id: 'end-it',
			title: 'End the chain',
			summary: 'On {@target.host}:{@target.port}, {@locks.pid} first; then {@settings.nothing}.',
			actions: [
				'Look at the tree.',
				{id: 'end-root', title: 'End the root blocker (holding up {$waits} or more)', finding: 'locks.root', target: 'session', sql: [{max: 13, sql: 'SELECT pg_terminate_backend({pid})'}, {min: 14, sql: 'SELECT pg_terminate_backend({pid}, 5000)'}], touches: 'pid {pid} ({role}, {state})'},
				{id: 'loosen-role', title: 'Reset the role', finding: 'settings.low', when: {column: 'from', eq: 'role'}, target: 'role', sql: 'ALTER ROLE {role:ident} RESET statement_timeout'},
			],
			commands: [{title: 'psql', run: 'psql -h {@target.host} -d {@target.database:ident}'}],
		},
		{id: 'loosen', title: 'Loosen', summary: 's', actions: ['a']},
	],
};

const runbook = makeRunbook(parts);
const target: RunEvent = {type: 'run-started', at: at(), tool: {name: 'pg500', version: 't'}, target: {host: 'db-1', port: 5433, database: 'app', user: 'oncall', serverVersion: null}, runbookPath: 'test.yaml'};

function diagnosed(roots: Row[], settings: Row[] = []): RunState {
	let s = play(runbook, [target]);
	s = runStep(s, 'connect', [connectRow]);
	s = runStep(s, 'locks', [{kind: 'summary', deadlocks: 6}, ...roots]);
	s = runStep(s, 'settings', settings);
	return reduce(s, {type: 'fix-chosen', at: at(), fixId: 'end-it', by: 'operator'});
}

const facts = (over: Partial<PrivilegeFacts> = {}): PrivilegeFacts => ({
	role: 'oncall',
	superuser: false,
	createrole: false,
	signal: true,
	serverVersionNum: 180000,
	database: 'app',
	databaseOwner: 'owner',
	ownsDatabase: false,
	roles: [{role: 'denokv', exists: true, superuser: false, member: false, admin: false}],
	...over,
});

const allow = (state: RunState, f = facts()) => reduce(state, {type: 'actions-checked', at: at(), fixId: 'end-it', permissions: decidePermissions(planActions(state, 'end-it'), f)});

test('an action acts on the rows of its finding, with the SQL for this server and what each one touches', () => {
	const state = allow(diagnosed([root(101), root(102, {waiting: 1})], [{role: 'denokv', timeout_ms: 200, from: 'database'}]));
	const [end, loosen] = planActions(state, 'end-it');
	assert.equal(end!.number, 1);
	assert.equal(end!.title, 'End the root blocker (holding up 3 or more)');
	// Only the root the rule names: the one holding up one writer is no finding.
	assert.deepEqual(end!.ready.map(t => [t.key, t.sql, t.touches]), [['pid 101', 'SELECT pg_terminate_backend(101, 5000)', 'pid 101 (denokv, idle in transaction)']]);
	assert.deepEqual(end!.ready[0]!.identity, {pid: 101, backend_start: '2026-01-01 03:00:00.123456+00', xact_start: '2026-01-01 03:00:01.5+00'});
	// `when` leaves the database-level timeout to another action.
	assert.equal(loosen!.number, 2);
	assert.deepEqual(loosen!.ready, []);
	assert.equal(loosen!.unavailable, 'settings found nothing for it to act on');
	// The fix's list numbers its actions and keeps its prose.
	assert.deepEqual(fixSteps(runbook.fixes[0]!, state), [{text: 'Look at the tree.'}, {text: 'End the root blocker (holding up 3 or more)', action: 1}, {text: 'Reset the role', action: 2}]);
});

test('PostgreSQL 13 gets its own SQL; a row without backend_start is not acted on (a recycled pid could not be told)', () => {
	let state = diagnosed([root(101, {backend_start: null})]);
	state = {...state, steps: {...state.steps, connect: {...state.steps.connect!, rows: [{...connectRow, server_version_num: 130012}]}}};
	const [end] = planActions(allow(state), 'end-it');
	assert.equal(end!.targets[0]!.sql, 'SELECT pg_terminate_backend(101)');
	assert.deepEqual(end!.ready, []);
	assert.equal(end!.unavailable, 'the check did not record when session 101 started: pg500 cannot tell it from a recycled pid');
});

test('a text value goes into SQL only quoted; a value the checks did not see is said so', () => {
	const state = allow(diagnosed([], [{role: 'app"; DROP ROLE x; --', timeout_ms: 200, from: 'role'}]), facts({superuser: true}));
	const [, loosen] = planActions(state, 'end-it');
	assert.deepEqual(loosen!.ready.map(t => t.sql), ['ALTER ROLE "app""; DROP ROLE x; --" RESET statement_timeout']);
	assert.equal(fixText(state, runbook.fixes[0]!.summary), 'On db-1:5433, <pid unknown> first; then <nothing unknown>.');
	assert.equal(fixText(state, runbook.fixes[0]!.commands[0]!.run), 'psql -h db-1 -d "app"');
});

test('privileges by PostgreSQL\'s rules: pg_signal_backend or membership for a session, never a superuser\'s; the GRANT when lacking', () => {
	const base = diagnosed([root(101)], [{role: 'denokv', timeout_ms: 200, from: 'role'}]);
	const plans = planActions(base, 'end-it');
	const decide = (f: PrivilegeFacts) => decidePermissions(plans, f).map(p => [p.actionId, p.allowed, p.reason ?? '', p.grant ?? '']);
	assert.deepEqual(decide(facts({signal: false})), [
		['end-root', false, 'role "oncall" may not signal "denokv"\'s sessions: that takes pg_signal_backend, the privileges of the session\'s role, or a superuser', 'GRANT pg_signal_backend TO "oncall";'],
		['loosen-role', false, 'role "oncall" may not change the settings of "denokv": ALTER ROLE … SET takes a superuser, or CREATEROLE with ADMIN OPTION on the role', 'ALTER ROLE "oncall" CREATEROLE; GRANT "denokv" TO "oncall" WITH ADMIN OPTION;'],
	]);
	assert.deepEqual(decide(facts({signal: false, roles: [{role: 'denokv', exists: true, superuser: false, member: true, admin: false}]}))[0], ['end-root', true, '', '']);
	assert.deepEqual(decide(facts({roles: [{role: 'denokv', exists: true, superuser: true, member: false, admin: false}]}))[0]!.slice(0, 2), ['end-root', false]);
	assert.deepEqual(decide(facts({createrole: true, roles: [{role: 'denokv', exists: true, superuser: false, member: false, admin: true}]}))[1], ['loosen-role', true, '', '']);
	assert.deepEqual(decide(facts({superuser: true})).map(p => p[1]), [true, true]);
	// Not offered until the privileges are read, and then only when allowed.
	assert.equal(planActions(base, 'end-it')[0]!.unavailable, 'privileges not checked yet');
	const lacking = planActions(allow(base, facts({signal: false})), 'end-it')[0]!;
	assert.equal(lacking.grant, 'GRANT pg_signal_backend TO "oncall";');
	assert.deepEqual(lacking.ready, []);
});

test('done and skipped targets are not offered again; a refusal is', () => {
	let state = allow(diagnosed([root(101)]));
	const record = (status: 'done' | 'refused' | 'skipped'): RunEvent => ({
		type: 'action-taken', at: at(), actionId: 'end-root', fixId: 'end-it', title: 't', sql: 'SELECT pg_terminate_backend(101, 5000)', target: {pid: 101},
		operator: 'me@here', confirmedAt: '2026-01-01T03:05:00.000Z', status, result: 'r', error: null,
	});
	state = reduce(state, record('refused'));
	assert.equal(planActions(state, 'end-it')[0]!.ready.length, 1);
	state = reduce(state, record('done'));
	assert.equal(planActions(state, 'end-it')[0]!.unavailable, 'done at 03:05:00 UTC: r');
	const last = incidentTimeline(state, state).at(-1)!;
	assert.deepEqual([last.kind, last.event, last.operator], ['action', 't on pid 101: done — r', 'me@here']);
});

test('the diagnosis stands as it was when the fix was chosen: a re-run and a verification never rewrite causes or verdict', () => {
	let state = allow(diagnosed([root(101)], [{role: 'denokv', timeout_ms: 200, from: 'database'}]));
	const causes = rankedCauses(state);
	assert.equal(causes[0]!.id, 'chain');
	// After the action, the operator re-runs the steps: the chain is gone, the low timeout remains.
	state = runStep(state, 'locks', [{kind: 'summary', deadlocks: 6}]);
	assert.deepEqual(rankedCauses(state), causes);
	assert.equal(verdictOf(state), 'critical');
	assert.equal(state.steps.locks!.status, 'ok', 'the live view shows the re-run');
});

test('verification: the figures of the chosen cause before → after; a counter compared with the last look; cleared only when all are normal', () => {
	let state = allow(diagnosed([root(101)]));
	assert.deepEqual(stepsToVerify(state, 'chain'), ['locks']);
	const observe = (rows: Row[]): RunEvent => ({type: 'verified', at: at(), fixId: 'end-it', causeId: 'chain', observations: [{stepId: 'locks', at: at(), durationMs: 3, outcome: {rows, rowCount: rows.length}}]});

	// The root is gone, but two more deadlocks happened since the diagnosis saw 6 (+0 since connecting).
	state = reduce(state, observe([{kind: 'summary', deadlocks: 8}]));
	let v = state.verifications.at(-1)!;
	assert.equal(v.cleared, false);
	assert.deepEqual(v.figures.map(f => [f.name, f.before, f.after, f.severityAfter ?? null]), [
		['root blockers', 1, 0, null],
		['deadlocks', '+0', '+2', 'critical'],
	]);
	assert.equal(incidentTimeline(state, state).at(-1)!.event, 'verification: not cleared — root blockers 1 → 0, deadlocks +0 → +2');
	// Looked at again: none since the last look.
	state = reduce(state, observe([{kind: 'summary', deadlocks: 8}]));
	v = state.verifications.at(-1)!;
	assert.equal(v.cleared, true, JSON.stringify(v));
	assert.deepEqual(v.figures.map(f => [f.name, f.before, f.after]), [['root blockers', 1, 0]]);

	// A step that cannot look is no "cleared".
	state = reduce(state, {type: 'verified', at: at(), fixId: 'end-it', causeId: 'chain', observations: [{stepId: 'locks', at: at(), durationMs: 3, outcome: {rows: [], rowCount: 0, error: {message: 'canceling statement due to statement timeout'}}}]});
	v = state.verifications.at(-1)!;
	assert.equal(v.cleared, false);
	assert.deepEqual(v.notes, ['locks could not look again: canceling statement due to statement timeout']);
});

test('validate: an action whose SQL does not name its target from the evidence, a finding of another fix, a title with row values', () => {
	const action = (over: Record<string, unknown>) => ({id: 'a', title: 'T', finding: 'locks.root', target: 'session', sql: 'SELECT pg_terminate_backend({pid})', ...over});
	const problems = (actions: unknown[]) =>
		checkGraph({...parts, fixes: [{...parts.fixes![0]!, actions: ['x', ...actions]} as never, parts.fixes![1]!]} as RunbookInput).map(p => `${p.path.join('.')}: ${p.message}`);
	assert.deepEqual(problems([action({})]), []);
	assert.deepEqual(problems([action({sql: 'SELECT pg_terminate_backend(4242)'})]), [
		'fixes.0.actions.1.sql: the action\'s SQL is not bound to the evidence: it must name its session as {pid}, from the rows of locks.root',
	]);
	assert.deepEqual(problems([action({target: 'role', sql: "ALTER ROLE denokv SET statement_timeout = '30s'"})]), [
		'fixes.0.actions.1.sql: the action\'s SQL is not bound to the evidence: it must name its role as {role:ident}, from the rows of locks.root',
	]);
	assert.deepEqual(problems([action({finding: 'loosen/q.r'})]), ['fixes.0.actions.1.finding: unknown finding "loosen/q.r"']);
	assert.deepEqual(problems([action({title: 'End {pid}'})]), ['fixes.0.actions.1.title: an action\'s title names the action; {pid} belongs in touches, shown for each target']);
	assert.deepEqual(problems([action({}), action({})]), ['fixes.0.actions.2.id: duplicate action id "a" (in fix "end-it")']);
	assert.deepEqual(problems([action({sql: 'SELECT pg_terminate_backend({pid}) /* {@nowhere.x} */'})]), ['fixes.0.actions.1.sql: unknown step "nowhere" in "@nowhere.x"']);
});

test('the watched series marks what changed the database: one moment per confirmation done, each verification; a refusal or a skip none', () => {
	let state = allow(diagnosed([root(101), root(102)]));
	const record = (pid: number, status: 'done' | 'refused' | 'skipped', confirmedAt: string): RunEvent => ({
		type: 'action-taken', at: confirmedAt, actionId: 'end-root', fixId: 'end-it', title: 't', sql: `SELECT pg_terminate_backend(${pid}, 5000)`, target: {pid},
		operator: 'me@here', confirmedAt, status, result: 'r', error: null,
	});
	const moments = () => (state.watch?.moments ?? []).map(m => m.label);
	assert.deepEqual(moments(), ['fix chosen: end-it']);
	state = reduce(state, record(101, 'refused', '2026-01-01T03:04:00.000Z'));
	state = reduce(state, record(101, 'skipped', '2026-01-01T03:04:30.000Z'));
	assert.deepEqual(moments(), ['fix chosen: end-it'], 'nothing changed');
	// One yes ends both roots: one moment, at the first.
	state = reduce(state, record(101, 'done', '2026-01-01T03:05:00.000Z'));
	state = reduce(state, record(102, 'done', '2026-01-01T03:05:00.000Z'));
	state = reduce(state, {type: 'verified', at: '2026-01-01T03:05:01.000Z', fixId: 'end-it', causeId: 'chain', observations: [{stepId: 'locks', at: at(), durationMs: 3, outcome: {rows: [{kind: 'summary', deadlocks: 6}], rowCount: 1}}]});
	assert.deepEqual(moments(), ['fix chosen: end-it', 'action: end-root', 'verified: cleared']);
	assert.deepEqual(state.watch?.moments.slice(1).map(m => m.at), ['2026-01-01T03:05:00.000Z', '2026-01-01T03:05:01.000Z']);
	// Nothing was watched: moments alone are no series in the report.
	assert.equal(watchJson(state), null);
});
