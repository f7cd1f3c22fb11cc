import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {startEmbeddedPostgres, type EmbeddedServer} from '../../source/drill/embedded.ts';
import {prepareScenario, type PreparedScenario} from '../../source/drill/drill.ts';
import {appRole, findScenario} from '../../source/drill/scenarios.ts';
import {planActions, type PlannedAction} from '../../source/engine/actions.ts';
import {initialState} from '../../source/engine/reducer.ts';
import type {RunState} from '../../source/engine/types.ts';
import {readJournal} from '../../source/journal/read.ts';
import {replayJournal} from '../../source/journal/replay.ts';
import {openJournal} from '../../source/journal/write.ts';
import {buildJsonReport} from '../../source/report/json.ts';
import {renderReport} from '../../source/report/render.ts';
import {loadRunbook} from '../../source/runbook/load.ts';
import {readDefaultRunbook} from '../../source/runbook/default-runbook.ts';
import {createSession, type SessionController} from '../../source/session/controller.ts';
import {createExecutor} from '../../source/session/create-executor.ts';
import type {Executor} from '../../source/checks/executor.ts';
import {schemaProblems} from '../report/schema.ts';
import {headless, look} from './helpers.ts';

/* The loop the drills teach — diagnose, act, verify — driven through the
 * session controller as the TUI drives it, on each drill's real embedded
 * server under its write load: the action changes the database for real,
 * the verification looks again, and the report keeps the diagnosis. */

let shared: EmbeddedServer;
let small: EmbeddedServer;
let dir: string;

before(async () => {
	[shared, small] = await Promise.all([startEmbeddedPostgres(), startEmbeddedPostgres({settings: findScenario('slots-full')!.settings})]);
	dir = await mkdtemp(path.join(os.tmpdir(), 'pg500-act-'));
});

after(async () => {
	await Promise.allSettled([shared?.dispose(), small?.dispose()]);
	await rm(dir, {recursive: true, force: true});
});

let databases = 0;
async function prepare(server: EmbeddedServer, id: string): Promise<PreparedScenario> {
	const database = `${id.replaceAll('-', '_')}_${++databases}`;
	return prepareScenario(server, findScenario(id)!, {database, logName: `${database}.log`});
}

interface Guided {
	session: SessionController;
	executor: Executor;
	journalPath: string;
	close(): Promise<void>;
}

/** The guided session a person walks: Enter through the steps, then the recommended fix. */
async function guided(server: EmbeddedServer, drill: PreparedScenario, url = drill.targetUrl): Promise<Guided> {
	const executor = createExecutor({url, serverLog: drill.serverLogPath, pgLog: server.pgLogPath, statementTimeout: 5000, logTailMb: 64, color: false}, {});
	const runbook = await loadRunbook();
	const journal = openJournal({dir, runbookPath: runbook.path, runbookText: readDefaultRunbook(), target: executor.target, options: {}});
	const session = createSession({state: initialState(runbook), executor, journal, operator: 'trainee@drill'});
	session.start();
	for (let moves = 0; moves < 30; moves++) {
		const move = await session.runNext();
		if (move?.kind === 'choose-fix') {
			assert.ok(move.recommended, 'a fix is recommended');
			await session.chooseFix(move.recommended);
			break;
		}
		if (move?.kind === 'end') break;
	}
	return {
		session,
		executor,
		journalPath: journal.path,
		async close() {
			session.close();
			await journal.close();
			await executor.close();
		},
	};
}

const stateOf = (g: Guided) => g.session.getState().run;
const plan = (run: RunState, id: string): PlannedAction => {
	const found = planActions(run, run.chosenFix!.id).find(p => p.id === id);
	assert.ok(found, `no action ${id}`);
	return found;
};
const count = async (server: EmbeddedServer, database: string, where: string) =>
	Number((await look(server, database, `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND ${where}`))[0]!.n);
const alive = (server: EmbeddedServer, database: string, pid: number) => count(server, database, `pid = ${pid}`).then(n => n === 1);

/** Polls (at most 15 s) until `check` holds: a terminated backend takes a moment to let its waiters go. */
async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
	for (let i = 0; i < 150; i++) {
		if (await check()) return;
		await new Promise(resolve => setTimeout(resolve, 100));
	}
	assert.fail(`never: ${what}`);
}

const lockWaiters = "wait_event_type = 'Lock'";

// The drills share one server, and so one PostgreSQL log: a lock chain's "still waiting" lines would be
// evidence for the drills after it. The leak and the timeouts go first.

/** `pg500 run` on a drill: it acts on nothing, whatever it finds. */
async function runActsOnNothing(drill: PreparedScenario): Promise<void> {
	const {report} = await headless(shared, drill);
	assert.equal(report.verdict, 'critical');
	assert.deepEqual((report as unknown as {actions: unknown[]}).actions, []);
	assert.equal((report as unknown as {verification: unknown}).verification, null);
}

test('connection-leak: pg500 run ends nothing; the guided session ends the sessions idle in transaction that the check found; idle in transaction N → 0, cleared', async t => {
	const drill = await prepare(shared, 'connection-leak');
	const leaked = async () => (await look(shared, drill.database, "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND usename = 'denokv' AND state = 'idle in transaction' AND query LIKE 'SELECT value FROM kv_store%'")).map(r => Number(r.pid));
	const before = await leaked();
	await runActsOnNothing(drill);
	// The leak only grows while the drill lasts: every session it had is still there.
	const after = await leaked();
	assert.ok(before.every(pid => after.includes(pid)), `${JSON.stringify(before)} → ${JSON.stringify(after)}`);
	const g = await guided(shared, drill);
	try {
		let run = stateOf(g);
		assert.equal(run.chosenFix?.id, 'fix-pool-exhaustion', JSON.stringify(buildJsonReport(run).causes.slice(0, 2)));
		const action = plan(run, 'end-leaked-sessions');
		assert.equal(action.number, 1);
		assert.ok(action.ready.length >= 5, `${action.ready.length} targets`);
		for (const t of action.ready) assert.match(t.touches, /^pid \d+ \(denokv\/denokv\), idle in transaction for \d+ s: /);
		const pids = action.ready.map(t => Number(t.identity.pid));
		const records = await g.session.act('end-leaked-sessions', 'yes');
		assert.deepEqual(records?.map(r => r.status), pids.map(() => 'done'));
		for (const pid of pids) assert.equal(await alive(shared, drill.database, pid), false);
		run = stateOf(g);
		let verification = run.verifications.at(-1)!;
		const leaks = verification.figures.find(f => f.name === 'idle in transaction ≥ 10 s')!;
		assert.ok(Number(leaks.before) >= 5, JSON.stringify(leaks));
		// The drill's application goes on leaking, one every 4 s: a leak too young to be a target
		// when the check ran may have come of age by the time pg500 looks again (a slow machine).
		// The operator then looks again and ends those too, as often as it takes.
		for (let round = 0; !verification.cleared && round < 4; round++) {
			assert.ok(verification.figures.every(f => f.severityAfter === undefined || f.stepId === 'connections'), JSON.stringify(verification));
			await g.session.rerun('fix-pool-exhaustion/leaked-sessions');
			await g.session.act('end-leaked-sessions', 'yes');
			verification = stateOf(g).verifications.at(-1)!;
		}
		assert.equal(verification.cleared, true, JSON.stringify(verification));
		assert.equal(verification.figures.find(f => f.name === 'idle in transaction ≥ 10 s')?.after, 0);
		run = stateOf(g);
		assert.equal(buildJsonReport(run).causes[0]!.id, 'pool-exhaustion', 'the report still names the leak');
		t.diagnostic(`summary:\n${buildJsonReport(run).summary.join('\n')}`);
	} finally {
		await g.close();
		await drill.release();
	}
});

test('timeouts: the database-level statement_timeout reset and idle transactions given a timeout; cleared only once both are', async t => {
	const drill = await prepare(shared, 'timeouts');
	// Two leaked transactions: old enough to count once they have sat 10 s.
	await eventually('the leaks are 10 s old', async () => (await count(shared, drill.database, "state = 'idle in transaction' AND now() - state_change > interval '10.5 s'")) >= 2);
	const g = await guided(shared, drill);
	try {
		let run = stateOf(g);
		assert.equal(run.chosenFix?.id, 'fix-timeouts');
		const reset = plan(run, 'reset-database-statement-timeout');
		assert.deepEqual(reset.ready.map(t => t.sql), [`ALTER DATABASE "${drill.database}" RESET statement_timeout`]);
		assert.match(reset.ready[0]!.touches, /instead of 200ms$/);
		await g.session.act('reset-database-statement-timeout', 'yes');
		run = stateOf(g);
		let verification = run.verifications.at(-1)!;
		assert.equal(verification.cleared, false, 'idle transactions still keep their locks for ever');
		assert.deepEqual(
			verification.figures.map(f => [f.name, f.before, f.after]),
			[
				['roles with statement_timeout < 1000 ms', 1, 0],
				['roles with leaks and no idle_in_transaction_session_timeout', 1, 1],
			],
		);
		const idle = plan(run, 'idle-timeout-for-database');
		assert.deepEqual(idle.ready.map(t => t.sql), [`ALTER DATABASE "${drill.database}" SET idle_in_transaction_session_timeout = '60s'`]);
		await g.session.act('idle-timeout-for-database', 'yes');
		verification = stateOf(g).verifications.at(-1)!;
		assert.equal(verification.cleared, true, JSON.stringify(verification));
		const settings = await look(shared, drill.database, 'SELECT unnest(setconfig) AS s FROM pg_db_role_setting WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())');
		assert.deepEqual(settings.map(r => r.s), ['idle_in_transaction_session_timeout=60s']);
		assert.equal(buildJsonReport(stateOf(g)).causes[0]!.id, 'timeouts');
		t.diagnostic(`summary:\n${buildJsonReport(stateOf(g)).summary.join('\n')}`);
	} finally {
		await g.close();
		await drill.release();
	}
});

test('lock-chain: pg500 run ends nothing; the action ends the root blocker, its waiters go on; waiting N → 0, cleared; the report still names the lock chain', async t => {
	const drill = await prepare(shared, 'lock-chain');
	const roots = async () => (await look(shared, drill.database, "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction' AND query LIKE 'UPDATE data_version%'")).map(r => Number(r.pid));
	const rootBefore = await roots();
	assert.equal(rootBefore.length, 1);
	await runActsOnNothing(drill);
	assert.deepEqual(await roots(), rootBefore, 'the root blocker still holds its row');
	const g = await guided(shared, drill);
	try {
		let run = stateOf(g);
		assert.equal(run.chosenFix?.id, 'fix-deadlocks');
		const causesBefore = buildJsonReport(run).causes;
		assert.equal(causesBefore[0]!.id, 'deadlocks');
		const action = plan(run, 'end-root-blocker');
		assert.equal(action.number, 1);
		assert.equal(action.ready.length, 1, JSON.stringify(action.targets.map(t => t.problem)));
		const root = action.ready[0]!;
		const pid = Number(root.identity.pid);
		assert.equal(root.sql, `SELECT pg_terminate_backend(${pid}, 5000)`);
		assert.match(root.touches, new RegExp(`^pid ${pid} \\(denokv/denokv, idle in transaction, in its transaction for \\d+ s\\): .* the \\d+ sessions it holds up go on$`));
		assert.ok(await alive(shared, drill.database, pid));
		const waitingBefore = await count(shared, drill.database, lockWaiters);
		assert.ok(waitingBefore >= 6, `${waitingBefore} waiting`);
		const version = async () => Number((await look(shared, drill.database, 'SELECT version AS n FROM data_version'))[0]!.n);
		const versionBefore = await version();

		const records = await g.session.act('end-root-blocker', 'yes');
		assert.deepEqual(
			records?.map(r => ({status: r.status, sql: r.sql, pid: r.target.pid, operator: r.operator})),
			[{status: 'done', sql: `SELECT pg_terminate_backend(${pid}, 5000)`, pid, operator: 'trainee@drill'}],
		);
		assert.equal(await alive(shared, drill.database, pid), false, 'the root blocker is gone');
		// Its waiters get the row one after the other and commit: nobody waits, the version moves on.
		await eventually('the lock waits clear', async () => (await count(shared, drill.database, lockWaiters)) === 0);
		assert.ok((await version()) > versionBefore);

		run = stateOf(g);
		const verification = run.verifications.at(-1)!;
		assert.equal(verification.cleared, true, JSON.stringify(verification));
		const figure = (name: string) => verification.figures.find(f => f.name === name);
		assert.ok(Number(figure('waiting ≥ 1 s')?.before) >= 3, JSON.stringify(verification.figures));
		assert.equal(figure('waiting ≥ 1 s')?.after, 0);
		assert.deepEqual([figure('root blockers')?.before, figure('root blockers')?.after], [1, 0]);

		// The report keeps the diagnosis as it stood when the fix was chosen, and adds what was done and seen.
		const report = buildJsonReport(run);
		assert.deepEqual(report.causes, causesBefore);
		assert.equal(report.verdict, 'critical');
		assert.equal(report.steps.find(s => s.id === 'locks')?.status, 'critical');
		assert.equal(report.actions.length, 1);
		assert.equal(report.verification?.cleared, true);
		assert.deepEqual(schemaProblems(report), []);
		// The summary for the incident channel: the root blocker by pid, what was done to it, by whom, and the verification.
		t.diagnostic(`summary:\n${report.summary.join('\n')}`);
		const [headline, evidence, fix, acted, verified] = report.summary;
		assert.match(headline!, /^CRITICAL( \(run not finished\))?: Transaction deadlocks and lock contention \(likely\)/);
		assert.match(evidence!, new RegExp(`^Evidence: .*root blocker pid ${pid}\\b`));
		assert.match(fix!, /^Fix: .* — chosen by trainee@drill$/);
		assert.match(acted!, new RegExp(`^Actions: End the root blocker of the lock chain on pid ${pid}: done — by trainee@drill at \\d\\d:\\d\\d UTC$`));
		assert.match(verified!, /^Verified at \d\d:\d\d UTC: cleared — root blockers 1 → 0, waiting ≥ 1 s \d+ → 0/);
		const markdown = await renderReport(run, 'markdown');
		assert.match(markdown, /## Actions\n\n- ✔ \*\*done\*\* — End the root blocker of the lock chain — pid \d+ \(backend started [^)]+\); answered by trainee@drill at /);
		assert.match(markdown, /## Verification\n\n\*\*✔ cleared: every figure of deadlocks is back to normal\*\*/);
		assert.match(markdown, /\| waiting ≥ 1 s \| locks \| ⚠ \d+ \| 0 \|/);
		const html = await renderReport(run, 'html');
		assert.match(html, /<h2>Actions<\/h2><ul class="actions"><li><span class="sym ok" aria-hidden="true">✔<\/span> <strong>done<\/strong> — End the root blocker of the lock chain/);
		assert.match(html, new RegExp(`<pre>SELECT pg_terminate_backend\\(${pid}, 5000\\)</pre>`));
		assert.match(html, /<h2>Verification<\/h2><p><span class="sym ok" aria-hidden="true">✔<\/span> <strong>cleared: every figure of deadlocks is back to normal<\/strong>/);

		// The journal alone tells the same story: the verification is derived again, not stored.
		const replayed = replayJournal(readJournal(g.journalPath));
		assert.deepEqual(replayed.verifications, run.verifications);
		assert.deepEqual(replayed.actions, run.actions);
	} finally {
		await g.close();
		await drill.release();
	}
});

test('the guard: a pid recycled since the diagnosis, and a session that moved on, are not touched', async () => {
	const drill = await prepare(shared, 'lock-chain');
	const g = await guided(shared, drill);
	const bystander = await bystanderOn(shared, drill);
	try {
		const run = stateOf(g);
		const root = plan(run, 'end-root-blocker').ready[0]!;
		const [other] = await look(shared, drill.database, `SELECT pid, backend_start::text AS backend_start FROM pg_stat_activity WHERE pid = ${bystander.pid}`);
		// What the guard sees when a pid is recycled: the pid the diagnosis named belongs to another session now.
		const recycled = withRootRow(run, {pid: bystander.pid, backend_start: root.identity.backend_start, xact_start: root.identity.xact_start});
		// …and when the session is the same but its transaction ended and another began (or none).
		const movedOn = withRootRow(run, {pid: bystander.pid, backend_start: String(other!.backend_start), xact_start: root.identity.xact_start});
		for (const [state, why] of [
			[recycled, /^pid \d+ is another session now \(started .+; the diagnosis saw one started .+\): not touched$/],
			[movedOn, /^session \d+ has moved on \(its transaction began never; the diagnosis saw .+\): not touched$/],
		] as const) {
			const session = createSession({state, executor: g.executor, operator: 'trainee@drill'});
			const records = await session.act('end-root-blocker', 'yes');
			assert.equal(records?.length, 1);
			assert.equal(records![0]!.status, 'skipped');
			assert.match(records![0]!.result, why);
			assert.equal(session.getState().run.verifications.length, 0, 'nothing was done, so nothing to verify');
			session.close();
		}
		assert.ok(await alive(shared, drill.database, bystander.pid), 'the session that has the pid now is untouched');
		assert.ok(await alive(shared, drill.database, Number(root.identity.pid)), 'and the diagnosed one too');
	} finally {
		await g.close();
		await drill.release();
	}
});

const bystanders: pg.Client[] = [];
after(() => Promise.allSettled(bystanders.map(c => c.end())));

/** An idle session of the application: a bystander that must never be touched. */
async function bystanderOn(server: EmbeddedServer, drill: PreparedScenario): Promise<{pid: number}> {
	const client = new pg.Client({connectionString: server.url(drill.database, appRole), application_name: 'bystander'});
	client.on('error', () => {});
	await client.connect();
	bystanders.push(client);
	const {rows} = await client.query('SELECT pg_backend_pid() AS pid');
	return {pid: rows[0].pid as number};
}

/** The state with the locks step's root row naming `identity` (its permission carried over): what the guard then meets. */
function withRootRow(run: RunState, identity: {pid: number; backend_start: unknown; xact_start: unknown}): RunState {
	const locks = run.steps.locks!;
	const rows = locks.rows.map(r => (r.kind === 'root' ? {...r, pid: identity.pid, backend_start: identity.backend_start as string, xact_start: identity.xact_start as string} : r));
	const fixId = run.chosenFix!.id;
	const permissions = {...run.permissions, [fixId]: [{actionId: 'end-root-blocker', target: `pid ${identity.pid}`, allowed: true}]};
	return {...run, steps: {...run.steps, locks: {...locks, rows}}, permissions};
}

test('a role without pg_signal_backend is not offered the action and is told the GRANT; cancelling at the confirmation changes nothing', async () => {
	const drill = await prepare(shared, 'lock-chain');
	await look(shared, drill.database, `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'watcher') THEN CREATE ROLE watcher LOGIN; GRANT pg_monitor TO watcher; END IF; END $$`);
	const watcher = await guided(shared, drill, shared.url(drill.database, 'watcher'));
	const oncall = await guided(shared, drill);
	try {
		let run = stateOf(watcher);
		const offered = plan(run, 'end-root-blocker');
		const pid = Number(offered.targets[0]!.identity.pid);
		assert.deepEqual(offered.ready, []);
		assert.match(offered.unavailable ?? '', /^role "watcher" may not signal "denokv"'s sessions: that takes pg_signal_backend/);
		assert.equal(offered.grant, 'GRANT pg_signal_backend TO "watcher";');
		assert.equal(await watcher.session.act('end-root-blocker', 'yes'), undefined, 'nothing to confirm');
		assert.ok(await alive(shared, drill.database, pid));

		// The on-call role may; its operator answers anything but yes.
		const waiting = await count(shared, drill.database, lockWaiters);
		const records = await oncall.session.act('end-root-blocker', 'no');
		assert.deepEqual(records?.map(r => [r.status, r.result, r.sql]), [['refused', 'not confirmed at the prompt: nothing was done', `SELECT pg_terminate_backend(${pid}, 5000)`]]);
		run = stateOf(oncall);
		assert.equal(run.verifications.length, 0);
		assert.ok(await alive(shared, drill.database, pid));
		assert.ok((await count(shared, drill.database, lockWaiters)) >= Math.min(waiting, 6), 'the writers still wait');
		// Refused is not done: the action is still offered.
		assert.equal(plan(run, 'end-root-blocker').ready.length, 1);
		const report = buildJsonReport(run);
		assert.deepEqual(report.actions.map(a => a.status), ['refused']);
		assert.equal(report.verification, null);
	} finally {
		await Promise.all([watcher.close(), oncall.close()]);
		await drill.release();
	}
});

test('slots-full: a superuser reconnects through the reserved slots, ends the idle sessions holding them; the on-call role gets in again, cleared', async () => {
	const drill = await prepare(small, 'slots-full');
	const g = await guided(small, drill);
	try {
		let run = stateOf(g);
		assert.equal(run.steps.connect?.status, 'critical');
		assert.equal(run.chosenFix?.id, 'fix-pool-exhaustion');
		assert.match(run.steps['fix-pool-exhaustion/idle-sessions']?.error?.message ?? '', /no connection/);
		assert.equal(plan(run, 'end-idle-sessions').ready.length, 0);
		// The pool's sessions have sat idle long enough to be ones it does not need now.
		await eventually('idle for 5 s', async () => (await count(small, drill.database, "state = 'idle' AND usename = 'denokv' AND now() - state_change > interval '5.5 s'")) >= 3);

		assert.match((await g.session.reconnect('nobody-such')) ?? '', /^nobody-such@127\.0\.0\.1:\d+\/slots_full_\d+ refused too \(/);
		assert.equal(await g.session.reconnect('postgres', ''), undefined);
		run = stateOf(g);
		assert.equal(run.connectedAs?.user, 'postgres');
		assert.equal(run.steps['fix-pool-exhaustion/idle-sessions']?.status, 'warning');
		const action = plan(run, 'end-idle-sessions');
		assert.ok(action.ready.length >= 3, JSON.stringify(action));
		const records = await g.session.act('end-idle-sessions', 'yes');
		assert.ok(records!.every(r => r.status === 'done'), JSON.stringify(records));

		run = stateOf(g);
		const verification = run.verifications.at(-1)!;
		assert.equal(verification.cleared, true, JSON.stringify(verification));
		assert.deepEqual(
			verification.figures.find(f => f.name === 'connections refused for lack of slots'),
			{stepId: 'connect', ruleId: 'too-many-clients', name: 'connections refused for lack of slots', before: 1, after: 0, severityBefore: 'critical'},
		);
		assert.equal(run.connectedAs, undefined, 'back as the on-call role once it is let in');
		const report = buildJsonReport(run);
		assert.equal(report.causes[0]!.id, 'pool-exhaustion');
		assert.ok(report.timeline.some(t => /^connected as postgres@/.test(t.event)));
		assert.ok(report.timeline.some(t => /^connected as oncall@.*: the role the diagnosis used is let in again$/.test(t.event)));
		assert.deepEqual(schemaProblems(report), []);
	} finally {
		await g.close();
		await drill.release();
	}
});
