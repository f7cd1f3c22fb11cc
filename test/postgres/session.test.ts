import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {startTestServer, freePort, superuser, type TestServer} from '../support/pg.ts';
import {parseRunbook} from '../../source/runbook/parse.ts';
import {initialState} from '../../source/engine/reducer.ts';
import type {StepOutcome} from '../../source/engine/types.ts';
import type {Executor} from '../../source/checks/executor.ts';
import {createExecutor} from '../../source/session/create-executor.ts';

/* The safe session and the executor against a real server: what a step sees,
 * and what it never does to the database it diagnoses. */

let server: TestServer;
before(async () => {
	server = await startTestServer();
	await server.sql('postgres', `CREATE ROLE app LOGIN PASSWORD 'app-pw'`);
});
after(() => server.stop());

const runbook = parseRunbook(
	`
id: probe
title: Probe
steps:
  - {id: connect, title: Connect, why: w, kind: connect}
  - id: sessions
    title: Sessions
    why: w
    kind: sql
    needs: [pg_read_all_stats]
    query: "SELECT application_name, query, state FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname = current_database() AND application_name <> ''"
  - {id: many, title: Many, why: w, kind: sql, query: "SELECT g AS n, g::bigint AS big, repeat('x', 2000) AS long FROM generate_series(1, 120) g"}
  - id: versioned
    title: Versioned
    why: w
    kind: sql
    query:
      - {max: 12, sql: "SELECT 'old' AS variant"}
      - {min: 13, sql: "SELECT 'current' AS variant"}
  - {id: settings, title: Settings, why: w, kind: sql, query: "SELECT current_setting('transaction_read_only') AS ro, current_setting('statement_timeout') AS st, current_setting('lock_timeout') AS lt, current_setting('jit') AS jit, pg_backend_pid() AS pid"}
  - {id: sleep, title: Sleep, why: w, kind: sql, query: "SELECT pg_sleep(3)"}
  - {id: locked, title: Locked, why: w, kind: sql, query: "SELECT count(*) AS n FROM guarded"}
  - {id: mine, title: Mine, why: w, kind: sql, query: "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'pg500'"}
causes:
  - {id: c, title: C, symptom: s, check: c, fix: f}
fixes:
  - {id: f, title: F, summary: s, actions: [a]}
`,
	'probe.yaml',
);
// Writes the runbook checker refuses (runbook/read-only.ts), put past it on purpose: the safe
// session is the second line of defence and must hold on its own.
runbook.steps.push(
	{id: 'write', title: 'Write', why: 'w', kind: 'sql', query: 'CREATE TABLE intruder (x int)', rules: []},
	{id: 'escape', title: 'Escape', why: 'w', kind: 'sql', query: 'COMMIT; CREATE TABLE escapee (x int)', rules: []},
);
runbook.steps.push({id: 'roles', title: 'Roles', why: 'w', kind: 'sql', query: "SELECT current_setting('pg500.app_roles') AS roles", rules: []});
const state = initialState(runbook);
const stepOf = (id: string) => runbook.steps.find(s => s.id === id)!;

function executorFor(url: string, statementTimeout = 5000): Executor {
	return createExecutor({url, statementTimeout, logTailMb: 64, color: false}, {});
}

const runStep = (executor: Executor, id: string): Promise<StepOutcome> => executor.run(stepOf(id), id, state);

test('connect reads version, role, privileges and recovery state; later steps pick the query by version', async () => {
	const db = await server.createDatabase({denokv: true});
	const executor = executorFor(server.url(db));
	try {
		assert.equal(executor.serverVersion(), null);
		const connect = await runStep(executor, 'connect');
		const row = connect.rows[0]!;
		assert.equal(row.database, db);
		assert.equal(row.current_user, 'postgres');
		assert.equal(row.superuser, true);
		assert.equal(row.in_recovery, false);
		assert.ok(Number(row.server_version_num) >= 130000);
		assert.equal(executor.serverVersion(), String(row.server_version).split(' ')[0]);
		assert.deepEqual(connect.notices, []);
		const versioned = await runStep(executor, 'versioned');
		assert.deepEqual(versioned.rows, [{variant: 'current'}]);
	} finally {
		await executor.close();
	}
});

test('rows are capped at 50 with the total kept, long text truncated, bigint kept exact as text', async () => {
	const db = await server.createDatabase();
	const executor = executorFor(server.url(db));
	try {
		const many = await runStep(executor, 'many');
		assert.equal(many.rows.length, 50);
		assert.equal(many.rowCount, 120);
		assert.deepEqual(many.columns, ['n', 'big', 'long']);
		assert.equal(many.rows[0]!.n, 1);
		assert.equal(many.rows[0]!.big, '1');
		assert.equal(String(many.rows[0]!.long).length, 500);
	} finally {
		await executor.close();
	}
});

test('each check runs READ ONLY with SET LOCAL timeouts and no JIT, and nothing stays open between checks', async () => {
	const db = await server.createDatabase();
	const executor = executorFor(server.url(db), 1234);
	try {
		const write = await runStep(executor, 'write');
		assert.equal(write.error?.sqlstate, '25006');
		const settings = (await runStep(executor, 'settings')).rows[0]!;
		assert.deepEqual({ro: settings.ro, st: settings.st, lt: settings.lt, jit: settings.jit}, {ro: 'on', st: '1234ms', lt: '200ms', jit: 'off'});
		const seen = await server.sql(db, `SELECT state, backend_xid FROM pg_stat_activity WHERE pid = ${Number(settings.pid)}`);
		assert.deepEqual(seen.rows, [{state: 'idle', backend_xid: null}]);
		// A query that ends the read-only transaction itself and then writes: refused as a whole.
		const escape = await runStep(executor, 'escape');
		assert.equal(escape.error?.sqlstate, '42601');
		const tables = await server.sql(db, `SELECT count(*)::int AS n FROM pg_class WHERE relname IN ('intruder', 'escapee')`);
		assert.equal(tables.rows[0].n, 0);
	} finally {
		await executor.close();
	}
});

test('a slow check is cancelled by statement_timeout and says how to wait longer', async () => {
	const db = await server.createDatabase();
	const executor = executorFor(server.url(db), 300);
	try {
		const sleep = await runStep(executor, 'sleep');
		assert.equal(sleep.error?.sqlstate, '57014');
		assert.match(sleep.error?.hint ?? '', /--statement-timeout/);
		// The session survives a cancelled statement.
		assert.equal((await runStep(executor, 'mine')).error, undefined);
	} finally {
		await executor.close();
	}
});

test('a check never queues behind a lock: lock_timeout gives up', async () => {
	const db = await server.createDatabase();
	await server.sql(db, 'CREATE TABLE guarded (x int)');
	const holder = await server.connect(db);
	await holder.query('BEGIN; LOCK TABLE guarded IN ACCESS EXCLUSIVE MODE');
	const executor = executorFor(server.url(db));
	try {
		const locked = await runStep(executor, 'locked');
		assert.equal(locked.error?.sqlstate, '55P03');
		assert.match(locked.error?.hint ?? '', /locks step/);
	} finally {
		await holder.query('ROLLBACK');
		await executor.close();
	}
});

test('exactly one connection of ours, seen from another session, across many steps', async () => {
	const db = await server.createDatabase({denokv: true});
	const executor = executorFor(server.url(db));
	try {
		for (const id of ['connect', 'sessions', 'many', 'versioned', 'settings']) await runStep(executor, id);
		const ours = await server.sql(db, `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'pg500'`);
		assert.equal(ours.rows[0].n, 1);
		assert.deepEqual((await runStep(executor, 'mine')).rows, [{n: '1'}]);
	} finally {
		await executor.close();
	}
	const after = await server.sql(db, `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'pg500'`);
	assert.equal(after.rows[0].n, 0);
});

test('a role without pg_read_all_stats: the step warns with the exact GRANT; with pg_monitor it does not', async () => {
	const db = await server.createDatabase();
	const executor = executorFor(server.url(db, {user: 'app', password: 'app-pw'}));
	try {
		const connect = await runStep(executor, 'connect');
		assert.equal(connect.rows[0]!.superuser, false);
		assert.equal(connect.rows[0]!.pg_monitor, false);
		const sessions = await runStep(executor, 'sessions');
		assert.equal(sessions.notices?.length, 1);
		assert.equal(sessions.notices![0]!.severity, 'warning');
		assert.match(sessions.notices![0]!.message, /GRANT pg_read_all_stats TO "app";/);
	} finally {
		await executor.close();
	}
	await server.sql('postgres', 'GRANT pg_monitor TO app');
	const granted = executorFor(server.url(db, {user: 'app', password: 'app-pw'}));
	try {
		assert.deepEqual((await runStep(granted, 'sessions')).notices, []);
	} finally {
		await granted.close();
		await server.sql('postgres', 'REVOKE pg_monitor FROM app');
	}
});

test('terminal escape sequences in application_name and query text arrive escaped', async () => {
	const db = await server.createDatabase();
	const hostile = await server.connect(db);
	await hostile.query(`SET application_name = E'evil\\x1b]0;pwned\\x07'`);
	await hostile.query(`SELECT 1 /* \x1b[2J\x1b[31m cleared */`);
	const executor = executorFor(server.url(db));
	try {
		const sessions = await runStep(executor, 'sessions');
		const row = sessions.rows.find(r => String(r.application_name).startsWith('evil'))!;
		assert.equal(row.application_name, 'evil\\x1b]0;pwned\\x07');
		assert.match(String(row.query), /\\x1b\[2J/);
		for (const value of sessions.rows.flatMap(r => Object.values(r))) assert.equal(/[\u0000-\u001f\u007f-\u009f]/.test(String(value)), false);
	} finally {
		await executor.close();
	}
});

test('a connection lost mid-run: that step errors, the session reconnects once and goes on', async () => {
	const db = await server.createDatabase();
	const executor = executorFor(server.url(db));
	/** Runs the sleeping step and terminates our backend while it runs. */
	const lostDuringStep = async () => {
		const running = runStep(executor, 'sleep');
		for (;;) {
			const {rows} = await server.sql(db, `SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE application_name = 'pg500' AND query LIKE '%pg_sleep%' AND state = 'active'`);
			if (rows.length > 0) break;
			await new Promise(resolve => setTimeout(resolve, 20));
		}
		return running;
	};
	try {
		assert.equal((await runStep(executor, 'connect')).rows[0]!.failure, undefined);
		const lost = await lostDuringStep();
		assert.match(lost.error?.message ?? '', /connection was lost/);
		assert.match(lost.error?.message ?? '', /administrator command/);
		const again = await runStep(executor, 'mine');
		assert.deepEqual(again.rows, [{n: '1'}]);
		assert.match((await lostDuringStep()).error?.message ?? '', /connection was lost/);
		// Reconnecting once is all: a database that keeps dropping us is not hammered.
		const gaveUp = await runStep(executor, 'mine');
		assert.match(gaveUp.error?.message ?? '', /^not run: the connection dropped again at \d\d:\d\d:\d\d UTC and pg500 reconnects only once$/);
		// Dropped, not gone: the target answers, pg500 just does not hammer it.
		assert.equal(gaveUp.notices?.some(n => n.id === 'target-lost') ?? false, false);
	} finally {
		await executor.close();
	}
});

test('a failed connect is rows, not an error; sql steps then say they did not run; no password anywhere', async () => {
	const refusedUrl = `postgres://app:${superuser.password}@127.0.0.1:${await freePort()}/kv`;
	const executor = executorFor(refusedUrl);
	const outcomes: StepOutcome[] = [];
	try {
		outcomes.push(await runStep(executor, 'connect'), await runStep(executor, 'sessions'));
	} finally {
		await executor.close();
	}
	const [connect, sessions] = outcomes;
	assert.equal(connect!.error, undefined);
	assert.equal(connect!.rows[0]!.failure, 'refused');
	assert.equal(sessions!.error?.message, 'not run: no connection to the target');
	assert.match(sessions!.error?.hint ?? '', /^refused: /);
	const wrongPassword = executorFor(server.url('postgres', {user: 'app', password: 'not-the-pw'}));
	try {
		outcomes.push(await runStep(wrongPassword, 'connect'));
	} finally {
		await wrongPassword.close();
	}
	assert.equal(outcomes[2]!.rows[0]!.failure, 'auth-failed');
	const everything = JSON.stringify([outcomes, executor.target, wrongPassword.target]);
	assert.equal(everything.includes(superuser.password), false);
	assert.equal(everything.includes('not-the-pw'), false);
});

test("a check's pg500.* settings arrive exactly, whatever the role names the operator typed", async () => {
	const db = await server.createDatabase();
	const tricky = ["x'y", 'a$v', '$v$', 'v$', 'b\\', 'e$vv$'];
	const executor = createExecutor({url: server.url(db), statementTimeout: 5000, logTailMb: 64, color: false, appRole: tricky}, {});
	try {
		const {rows, error} = await runStep(executor, 'roles');
		assert.equal(error, undefined);
		assert.deepEqual(JSON.parse(String(rows[0]!.roles)), tricky);
	} finally {
		await executor.close();
	}
});
