import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {startTestServer, type TestServer} from '../support/pg.ts';
import {resolveTarget} from '../../source/postgres/target.ts';
import {SafeSession} from '../../source/postgres/session.ts';
import {startWriteLoad} from '../../source/drill/write-load.ts';
import {initialState} from '../../source/engine/reducer.ts';
import type {RunEvent} from '../../source/engine/types.ts';
import {loadRunbook} from '../../source/runbook/load.ts';
import {createSession} from '../../source/session/controller.ts';
import {createExecutor} from '../../source/session/create-executor.ts';

/* Watch samples and the checks share the guided session's one connection:
 * their transactions never interleave, the watch samples only while it is
 * open, and the whole runbook runs beside a fast watch on one connection. */

let server: TestServer;
before(async () => {
	server = await startTestServer({max_connections: '60'});
});
after(() => server.stop());

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

test('callers at the same moment: one connection attempt, and each transaction whole (its own SET LOCAL seen by its own query)', async () => {
	const db = await server.createDatabase();
	const {config, fallback} = resolveTarget(server.url(db), {});
	const session = new SafeSession(config, {statementMs: 5000, lockMs: 200}, fallback);
	try {
		const results = await Promise.all(
			Array.from({length: 30}, (_, i) => session.query(`SELECT current_setting('pg500.marker') AS marker, pg_backend_pid() AS pid, pg_sleep(0.005)`, {'pg500.marker': String(i)})),
		);
		assert.deepEqual(
			results.map(r => r.rows[0].marker),
			results.map((_, i) => String(i)),
		);
		assert.equal(new Set(results.map(r => r.rows[0].pid)).size, 1, 'one backend');
	} finally {
		await session.close();
	}
	const {rows} = await server.sql('postgres', `SELECT pg_stat_force_next_flush(), (SELECT sessions::int FROM pg_stat_database WHERE datname = '${db}') AS n`);
	assert.equal(rows[0].n, 1);
});

test('the whole runbook runs beside a watch sampling every 0.1 s: every step on the one connection, samples journaled between them; closed, nothing more', async () => {
	const db = await server.createDatabase({denokv: true});
	const load = startWriteLoad({url: server.url(db), clients: 5});
	await load.flowing;
	const events: RunEvent[] = [];
	const executor = createExecutor({url: server.url(db), statementTimeout: 5000, logTailMb: 64, color: false}, {});
	const session = createSession({state: initialState(await loadRunbook()), executor, journal: {append: event => events.push(event)}});
	try {
		session.start();
		assert.equal(session.watchable, true);
		assert.equal(await session.startWatch(0.1), undefined);
		assert.ok(session.getState().watch, 'the watch is open');
		// The operator goes on with the runbook while the watch samples.
		for (let i = 0; i < 40 && !session.getState().run.finishedAt; i++) await session.runNext();
		const run = session.getState().run;
		for (const id of ['connect', 'connections', 'locks', 'timeouts', 'schema']) assert.ok(!run.steps[id]?.error, `${id}: ${run.steps[id]?.error?.message}`);
		await sleep(300);
		await session.stopWatch();
		const sampled = events.filter(e => e.type === 'watch-sampled').length;
		assert.ok(sampled >= 3, `${sampled} samples`);
		const firstStep = events.findIndex(e => e.type === 'step-started');
		const lastStep = events.length - 1 - [...events].reverse().findIndex(e => e.type === 'step-finished');
		assert.ok(events.slice(firstStep, lastStep).some(e => e.type === 'watch-sampled'), 'samples taken between the steps');
		assert.equal(events.filter(e => e.type === 'watch-started').length, 1);
		assert.equal(events.at(-1)!.type, 'watch-stopped');
		assert.equal(session.getState().watch, undefined);
		// Closed: no more samples, and no queries (the backend's last statement stays the last).
		const lastQuery = async () =>
			(await server.sql('postgres', `SELECT pid, query_start, state FROM pg_stat_activity WHERE application_name = 'pg500' AND datname = '${db}'`)).rows;
		const before = await lastQuery();
		assert.equal(before.length, 1, 'one connection of pg500');
		await sleep(600);
		assert.equal(events.filter(e => e.type === 'watch-sampled').length, sampled);
		assert.deepEqual(await lastQuery(), before);
	} finally {
		session.close();
		await executor.close();
		await load.stop();
	}
	const {rows} = await server.sql('postgres', `SELECT pg_stat_force_next_flush(), (SELECT sessions::int FROM pg_stat_database WHERE datname = '${db}') AS n`);
	assert.equal(rows[0].n, 1 + 5 + 1, 'the schema set-up, the load and pg500: one connection for the checks and the watch');
});

test('a session without a live target cannot watch, and says so', async () => {
	const session = createSession({state: initialState(await loadRunbook()), executor: {target: {host: 'h', port: 1, database: 'd', user: 'u', serverVersion: null}, run: async () => ({rows: [], rowCount: 0}), serverVersion: () => null, close: async () => {}}});
	assert.equal(session.watchable, false);
	assert.equal(await session.startWatch(), 'this session has no live target to watch');
	assert.equal(session.getState().watch, undefined);
});
