import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {mkdtemp, readFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {startTestServer, waitForLockWaits, type TestServer} from '../support/pg.ts';
import {startWriteLoad, type WriteLoad} from '../../source/drill/write-load.ts';
import {runHeadless} from '../../source/commands/run.ts';
import {createExecutor} from '../../source/session/create-executor.ts';
import type {Executor} from '../../source/checks/executor.ts';
import {loadRunbook} from '../../source/runbook/load.ts';
import {runToJson, step, type JsonReport} from './helpers.ts';

/* The diagnosis under a real denokv-shaped write load: the load alone is
 * "ok" at every size, and each fault on top of it is still found. */

let server: TestServer;
before(async () => {
	server = await startTestServer({max_connections: '520', deadlock_timeout: '200ms'});
	await server.sql('postgres', `CREATE ROLE denokv LOGIN PASSWORD 'denokv-pw'`);
	// The on-call role of the drills: pg_monitor, and reading the denokv tables (the data_version row).
	await server.sql('postgres', `CREATE ROLE monitor LOGIN PASSWORD 'monitor-pw' IN ROLE pg_monitor, pg_read_all_data`);
});
after(() => server.stop());

const app = {user: 'denokv', password: 'denokv-pw'};
const monitor = {user: 'monitor', password: 'monitor-pw'};

async function denokvDatabase(): Promise<string> {
	const db = await server.createDatabase({denokv: true});
	await server.sql(db, 'GRANT ALL ON ALL TABLES IN SCHEMA public TO denokv');
	return db;
}

async function withLoad<T>(db: string, clients: number, body: (load: WriteLoad) => Promise<T>): Promise<T> {
	const load = startWriteLoad({url: server.url(db, app), clients});
	try {
		await load.flowing;
		return await body(load);
	} finally {
		await load.stop();
	}
}

const findingsOf = (report: JsonReport) => report.steps.flatMap(s => s.findings.filter(f => f.severity !== 'info').map(f => `${s.id}: ${f.message}`));

for (const clients of [10, 30, 100]) {
	test(`a healthy write load of ${clients} clients: ok, three runs out of three`, async () => {
		const db = await denokvDatabase();
		await withLoad(db, clients, async load => {
			for (let run = 0; run < 3; run++) {
				const before = load.stats().committed;
				const {report, exitCode} = await runToJson(server.url(db, monitor));
				assert.deepEqual(findingsOf(report), [], `run ${run}`);
				assert.equal(report.verdict, 'ok');
				assert.equal(exitCode, 0);
				// Writers were queued on data_version while pg500 looked: the load was real, and still ok.
				assert.ok(load.stats().committed > before, 'the load went on committing');
			}
			assert.equal(load.stats().failed, 0, load.stats().lastError);
		});
	});
}

test('a leaked transaction holding data_version, 100 writers queued, 300 idle sessions, the load beside: the root is named', async () => {
	const db = await denokvDatabase();
	await withLoad(db, 10, async () => {
		const idle: pg.Client[] = [];
		for (let i = 0; i < 300; i++) {
			const client = await server.connect(db, app);
			await client.query('SELECT 1');
			idle.push(client);
		}
		const leak = await server.connect(db, app);
		await leak.query('BEGIN; UPDATE data_version SET version = version + 1 WHERE k = 0');
		const leakPid: number = (await leak.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
		const writers = await Promise.all(Array.from({length: 100}, () => server.connect(db, app)));
		// Each a write of its own (autocommit): once the leak ends, the queue drains.
		const queued = writers.map(w => w.query('UPDATE data_version SET version = version + 1 WHERE k = 0').catch(() => undefined));
		try {
			await waitForLockWaits(server, db, 100, 1.2);
			const {report, exitCode} = await runToJson(server.url(db, monitor));
			const locks = step(report, 'locks');
			assert.equal(locks.status, 'critical', JSON.stringify(locks));
			const [summary, root] = locks.rows;
			// The drill's hundred and the load's ten, all behind the one leak.
			assert.ok(Number(summary!.blocks) >= 100, String(summary!.blocks));
			assert.deepEqual({kind: root!.kind, pid: root!.pid, state: root!.state}, {kind: 'root', pid: leakPid, state: 'idle in transaction'});
			assert.equal(Number(root!.blocks), Number(summary!.blocks));
			assert.ok(locks.findings.some(f => f.severity === 'critical' && f.message.startsWith(`Root blocker pid ${leakPid} (denokv/`)), JSON.stringify(locks.findings));
			assert.ok(locks.findings.some(f => /^\d+ denokv writers queue on the data_version row behind pid \d+/.test(f.message)));
			assert.equal(report.causes[0]!.id, 'deadlocks');
			assert.equal(exitCode, 2);
		} finally {
			await leak.query('ROLLBACK');
			await Promise.all(queued);
			await Promise.all([...idle, ...writers, leak].map(c => c.end()));
		}
	});
});

test("pg500's own role is not the application's: its hardened timeouts are no finding, the application's are", async () => {
	const db = await denokvDatabase();
	await server.sql('postgres', `ALTER ROLE monitor SET statement_timeout = '500ms'; ALTER ROLE monitor SET lock_timeout = '50ms'`);
	try {
		await withLoad(db, 10, async () => {
			const {report} = await runToJson(server.url(db, monitor));
			const timeouts = step(report, 'timeouts');
			assert.equal(timeouts.status, 'ok', JSON.stringify(timeouts.findings));
			assert.deepEqual(timeouts.rows.map(r => r.role), ['denokv']);
			// Named as the application's (the operator knows better): judged.
			const named = await runToJson(server.url(db, monitor), {appRole: ['monitor']});
			assert.ok(step(named.report, 'timeouts').findings.some(f => f.severity === 'critical' && /^Role monitor gets statement_timeout = 500ms \(from the role setting\)/.test(f.message)));
		});
	} finally {
		await server.sql('postgres', 'ALTER ROLE monitor RESET statement_timeout; ALTER ROLE monitor RESET lock_timeout');
	}
});

test('no application session and no role named: the database defaults are judged', async () => {
	const db = await denokvDatabase();
	await server.sql('postgres', `ALTER DATABASE ${db} SET statement_timeout = '300ms'`);
	const {report} = await runToJson(server.url(db, monitor));
	const timeouts = step(report, 'timeouts');
	assert.deepEqual(timeouts.rows.map(r => r.role), ['(database default)']);
	assert.ok(timeouts.findings.some(f => f.severity === 'critical' && /statement_timeout = 300ms \(from the database setting\)/.test(f.message)), JSON.stringify(timeouts.findings));
});

test('deadlocks long ago are history: a counter above zero that does not move is no finding', async () => {
	const db = await denokvDatabase();
	const [a, b] = [await server.connect(db, app), await server.connect(db, app)];
	const touch = "UPDATE kv_store SET updated_at = now() WHERE key = convert_to($1, 'UTF8')";
	await a.query('BEGIN');
	await b.query('BEGIN');
	await a.query(touch, ['key-1']);
	await b.query(touch, ['key-2']);
	await Promise.allSettled([a.query(touch, ['key-2']), b.query(touch, ['key-1'])]);
	await Promise.allSettled([a.query('ROLLBACK'), b.query('ROLLBACK')]);
	await Promise.all([a.query('SELECT pg_stat_force_next_flush()'), b.query('SELECT pg_stat_force_next_flush()')]);
	const {rows} = await server.sql(db, 'SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()');
	assert.equal(Number(rows[0].deadlocks), 1);
	await withLoad(db, 10, async () => {
		const {report} = await runToJson(server.url(db, monitor));
		assert.equal(step(report, 'locks').status, 'ok', JSON.stringify(step(report, 'locks').findings));
		assert.equal(report.verdict, 'ok');
	});
});

test('the target stops in the middle of the run: critical, exit 2, connection failure first, the cut steps say so', async () => {
	const doomed = await startTestServer();
	const db = await doomed.createDatabase({denokv: true});
	const live = createExecutor({url: doomed.url(db), statementTimeout: 5000, logTailMb: 64, color: false}, {});
	// The real executor, but the server is stopped for real just before the locks step reaches it.
	const executor: Executor = {
		target: live.target,
		serverVersion: () => live.serverVersion(),
		close: () => live.close(),
		async run(s, id, state) {
			if (id === 'locks') await doomed.stop();
			return live.run(s, id, state);
		},
	};
	const dir = await mkdtemp(path.join(os.tmpdir(), 'pg500-lost-'));
	const output = path.join(dir, 'report.json');
	try {
		const {exitCode} = await runHeadless({runbook: await loadRunbook(), executor, report: {format: 'json', output}});
		const report = JSON.parse(await readFile(output, 'utf8')) as JsonReport;
		assert.equal(step(report, 'connections').status, 'ok');
		const locks = step(report, 'locks');
		assert.equal(locks.status, 'error');
		assert.ok(locks.findings.some(f => f.severity === 'critical' && /^The target was lost during the run at \d\d:\d\d:\d\d UTC and cannot be reached again \(refused/.test(f.message)), JSON.stringify(locks.findings));
		for (const id of ['timeouts', 'schema']) assert.match((step(report, id) as {error?: {message: string}}).error?.message ?? '', /^not run: the target was lost at /, id);
		assert.equal(report.verdict, 'critical');
		assert.equal(exitCode, 2);
		assert.deepEqual([report.causes[0]!.id, report.causes[0]!.likelihood], ['connection-failure', 'likely']);
	} finally {
		await executor.close();
	}
});
