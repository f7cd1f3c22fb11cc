import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {startTestServer, type TestServer} from '../support/pg.ts';
import {resolveTarget} from '../../source/postgres/target.ts';
import {SafeSession} from '../../source/postgres/session.ts';
import {loadRunbook} from '../../source/runbook/load.ts';
import {createExecutor} from '../../source/session/create-executor.ts';
import type {WatchRead} from '../../source/watch/reading.ts';

/* A confirmed action shares the one connection with the checks and the
 * watch's samples: it takes its turn like them, so nothing runs inside its
 * READ WRITE transaction, and a session it renews (new role or database
 * settings) lets the samples already asked of the old one finish first. */

let server: TestServer;
before(async () => {
	server = await startTestServer();
});
after(() => server.stop());

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

const checkSql = `SELECT current_setting('transaction_read_only') AS ro, txid_current_if_assigned() AS txid, current_setting('pg500.marker') AS marker, (SELECT count(*)::int FROM acted) AS acted`;

test('an action takes its turn: checks asked before and during it never run inside its READ WRITE transaction; it commits; its commit is no rollback of pg500', async () => {
	const db = await server.createDatabase();
	await server.sql(db, 'CREATE TABLE acted (txid bigint)');
	const {config, fallback} = resolveTarget(server.url(db), {});
	const session = new SafeSession(config, {statementMs: 5000, lockMs: 200}, fallback);
	try {
		const before = Array.from({length: 5}, (_, i) => session.query(checkSql, {'pg500.marker': `before ${i}`}));
		let during: Promise<{rows: Record<string, unknown>[]}>[] = [];
		const action = session.act({'pg500.marker': 'act'}, async run => {
			const inserted = (await run('INSERT INTO acted SELECT txid_current() RETURNING txid::text AS txid')).rows[0].txid;
			// Asked while the action's transaction is open: they wait for its end.
			during = Array.from({length: 5}, (_, i) => session.query(checkSql, {'pg500.marker': `during ${i}`}));
			await sleep(50);
			const [now] = (await run(`SELECT txid_current()::text AS txid, current_setting('transaction_read_only') AS ro, current_setting('pg500.marker') AS marker`)).rows;
			return {commit: true, value: {inserted, ...now}};
		});
		const checksBefore = await Promise.all(before);
		const acted = await action;
		const checksDuring = await Promise.all(during);
		assert.deepEqual(acted, {inserted: acted.inserted, txid: acted.inserted, ro: 'off', marker: 'act'}, 'one transaction, read-write, its own settings');
		assert.deepEqual(
			checksBefore.map(r => r.rows[0]),
			[0, 1, 2, 3, 4].map(i => ({ro: 'on', txid: null, marker: `before ${i}`, acted: 0})),
		);
		// Each check after the commit sees the row: none ran inside the action.
		assert.deepEqual(
			checksDuring.map(r => r.rows[0]),
			[0, 1, 2, 3, 4].map(i => ({ro: 'on', txid: null, marker: `during ${i}`, acted: 1})),
		);
		// The connect transaction and ten checks ended in a rollback; the action committed.
		assert.equal(session.rollbacks, 11);
	} finally {
		await session.close();
	}
	assert.equal((await server.sql(db, 'SELECT count(*)::int AS n FROM acted')).rows[0].n, 1);
});

test('a watch sample asked while an action renews the session is read whole on the old one, the next on the new one; pg500\'s own rollbacks stay out of the rate', async () => {
	const db = await server.createDatabase({denokv: true});
	await server.sql('postgres', `ALTER DATABASE "${db}" SET statement_timeout = '200ms'`);
	const executor = createExecutor({url: server.url(db), statementTimeout: 5000, logTailMb: 64, color: false}, {});
	const {thresholds} = await loadRunbook();
	const read = async (promise: Promise<WatchRead>) => {
		const result = await promise;
		assert.equal(result.kind, 'read', JSON.stringify(result));
		return (result as Extract<WatchRead, {kind: 'read'}>).reading;
	};
	const pids = async () =>
		(await server.sql('postgres', `SELECT pid FROM pg_stat_activity WHERE application_name = 'pg500' AND datname = '${db}'`)).rows.map(r => r.pid as number);
	try {
		// Some of pg500's rollbacks to take out: the baseline and a few samples.
		for (let i = 0; i < 5; i++) await read(executor.readWatch!(thresholds));
		const first = await read(executor.readWatch!(thresholds));
		const [oldPid] = await pids();
		const acting = executor.act!('database', {key: `database ${db}`, row: {}, identity: {database: db}, sql: `ALTER DATABASE "${db}" RESET statement_timeout`, touches: `database ${db}`});
		const during = await read(executor.readWatch!(thresholds));
		assert.equal((await acting).status, 'done');
		const after = await read(executor.readWatch!(thresholds));
		const [newPid, ...more] = await pids();
		assert.deepEqual(more, [], 'one connection');
		assert.notEqual(newPid, oldPid, 'a new session takes the database\'s new settings');
		// Nothing but pg500 touches this database: the application's rollbacks stay at what they were.
		const appRollbacks = (r: typeof first) => r.rollbacks_total - r.ownTransactions;
		assert.deepEqual([during, after].map(appRollbacks), [appRollbacks(first), appRollbacks(first)]);
		assert.ok(after.ownTransactions > first.ownTransactions, 'the old session\'s rollbacks are still pg500\'s');
	} finally {
		await executor.close();
	}
});
