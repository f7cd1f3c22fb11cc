import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {appendFile, mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import {startTestServer, freePort, type TestServer} from '../support/pg.ts';
import {startWriteLoad} from '../../source/drill/write-load.ts';
import {formatEnvLoggerLine} from '../../source/drill/server-log.ts';
import {startWatch, type WatchedLine} from './watch-process.ts';

/* `pg500 watch` against a real server under a healthy denokv write load:
 * a leak seen growing, deadlocks as the change between two samples, a
 * connection dropped and taken again once, a target that goes away, and
 * never more than one connection of pg500's own. */

let server: TestServer;
before(async () => {
	server = await startTestServer({max_connections: '120', deadlock_timeout: '100ms'});
	await server.sql('postgres', `CREATE ROLE denokv LOGIN PASSWORD 'denokv-pw'`);
	await server.sql('postgres', `CREATE ROLE monitor LOGIN PASSWORD 'monitor-pw' IN ROLE pg_monitor`);
	await server.sql('postgres', `CREATE ROLE plain LOGIN PASSWORD 'plain-pw'`);
});
after(() => server.stop());

const app = {user: 'denokv', password: 'denokv-pw'};
const monitor = {user: 'monitor', password: 'monitor-pw'};
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

async function denokvDatabase(): Promise<string> {
	const db = await server.createDatabase({denokv: true});
	await server.sql(db, 'GRANT ALL ON ALL TABLES IN SCHEMA public TO denokv; CREATE TABLE pair (id int PRIMARY KEY); INSERT INTO pair VALUES (1), (2); GRANT ALL ON pair TO denokv');
	return db;
}

/** Sessions ever opened to `db` (pg_stat_database.sessions), read from another database so the reading adds none. */
async function sessionsOpened(db: string): Promise<number> {
	const {rows} = await server.sql('postgres', `SELECT pg_stat_force_next_flush(), (SELECT sessions::int FROM pg_stat_database WHERE datname = '${db}') AS n`);
	return rows[0].n as number;
}

/** Sessions opened since `before`, once the backends that ended have reported (at most 5 s): the count never drops, so more than expected stays caught. */
async function sessionsSince(db: string, before: number, expected: number): Promise<number> {
	const until = Date.now() + 5000;
	let n = (await sessionsOpened(db)) - before;
	while (n < expected && Date.now() < until) {
		await sleep(100);
		n = (await sessionsOpened(db)) - before;
	}
	return n;
}

/** Sessions a test's database has had before pg500 comes: its set-up (the schema, the grants), then the load. */
const settingUp = 2;
const loadClients = 10;

async function withLoad<T>(db: string, body: () => Promise<T>): Promise<T> {
	const load = startWriteLoad({url: server.url(db, app), clients: loadClients});
	try {
		await load.flowing;
		return await body();
	} finally {
		await load.stop();
	}
}

/** A leak that grows: a session left idle in transaction at once, then one more every `everyMs`; when each opened. */
function growingLeak(db: string, everyMs: number) {
	const opened: number[] = [];
	const clients: pg.Client[] = [];
	let stopped = false;
	const loop = (async () => {
		while (!stopped) {
			const client = await server.connect(db, app);
			clients.push(client);
			await client.query('BEGIN');
			await client.query('SELECT version FROM data_version');
			opened.push(Date.now());
			await sleep(everyMs);
		}
	})();
	return {
		/** Leaks open at `ms` (epoch milliseconds). */
		countAt: (ms: number) => opened.filter(t => t <= ms).length,
		get count() {
			return opened.length;
		},
		async until(n: number) {
			while (opened.length < n) await sleep(20);
		},
		async stop() {
			stopped = true;
			await loop;
			await Promise.all(clients.map(c => c.end()));
		},
	};
}

test('a leak growing by one session a second is seen rising, sample after sample, on one connection', async () => {
	const db = await denokvDatabase();
	await withLoad(db, async () => {
		const sessionsBefore = await sessionsSince(db, 0, settingUp + loadClients);
		const leak = growingLeak(db, 1000);
		let lines: WatchedLine[];
		try {
			await leak.until(2);
			const watch = startWatch(['--url', server.url(db, monitor), '--format', 'json', '--interval', '0.5', '--count', '6']);
			assert.equal(await watch.exited, 0, watch.stderr());
			lines = watch.lines;
			assert.equal(watch.stderr(), '');
		} finally {
			await leak.stop();
		}
		assert.equal(lines.length, 6);
		for (const line of lines) {
			// Every leak open when the sample was read is counted (the load's own short idle moments may add some).
			assert.ok(line.idle_in_tx >= leak.countAt(Date.parse(line.at) - 300), `${line.idle_in_tx} idle in transaction at ${line.at}, ${leak.countAt(Date.parse(line.at) - 300)} leaked by then`);
			assert.deepEqual(Object.keys(line), ['at', 'slots_used', 'slots_usable', 'idle_in_tx', 'oldest_idle_in_tx_s', 'lock_waiters', 'oldest_lock_wait_s', 'deadlocks', 'commits_per_s', 'rollbacks_per_s', 'server_log_errors_per_min']);
			assert.equal(line.deadlocks, 0);
			assert.equal(line.server_log_errors_per_min, null);
		}
		const [first, last] = [lines[0]!, lines.at(-1)!];
		// Backends report their commits about once a second: by the last sample the rate's window holds some.
		assert.ok(last.commits_per_s! > 0, `the load commits: ${lines.map(l => l.commits_per_s).join(' ')}`);
		assert.ok(last.idle_in_tx >= leak.countAt(Date.parse(first.at)) + 2, `rose from ${first.idle_in_tx} to ${last.idle_in_tx}`);
		// The oldest leak ages as the watch goes on.
		assert.ok(last.oldest_idle_in_tx_s >= first.oldest_idle_in_tx_s + 2, `${first.oldest_idle_in_tx_s} s, then ${last.oldest_idle_in_tx_s} s`);
		for (let i = 1; i < lines.length; i++) assert.ok(lines[i]!.oldest_idle_in_tx_s >= lines[i - 1]!.oldest_idle_in_tx_s);
		// pg500's rollbacks (one a sample) are its own, not the application's.
		assert.ok(lines.every(l => l.rollbacks_per_s === 0), lines.map(l => l.rollbacks_per_s).join(' '));
		// One connection of pg500's, and the leak's: nothing else connected to the database.
		assert.equal(await sessionsSince(db, sessionsBefore, leak.count + 1), leak.count + 1);
	});
});

/** Two sessions take the two rows in opposite order: PostgreSQL ends one of them (40P01). */
async function deadlock(db: string): Promise<void> {
	const [a, b] = [await server.connect(db, app), await server.connect(db, app)];
	try {
		await a.query('BEGIN; UPDATE pair SET id = id WHERE id = 1');
		await b.query('BEGIN; UPDATE pair SET id = id WHERE id = 2');
		const results = await Promise.allSettled([a.query('UPDATE pair SET id = id WHERE id = 2'), b.query('UPDATE pair SET id = id WHERE id = 1')]);
		assert.equal(results.filter(r => r.status === 'rejected' && (r.reason as {code?: string}).code === '40P01').length, 1);
		await Promise.all([a.query('ROLLBACK'), b.query('ROLLBACK')]);
		// The victim's backend counts it when it flushes its statistics: now, not up to 10 s later.
		await Promise.all([a.query('SELECT pg_stat_force_next_flush()'), b.query('SELECT pg_stat_force_next_flush()')]);
	} finally {
		await Promise.all([a.end(), b.end()]);
	}
}

test('deadlocks made between two samples appear as the change; Ctrl-C (SIGINT) ends the watch with 0', async () => {
	const db = await denokvDatabase();
	await withLoad(db, async () => {
		const watch = startWatch(['--url', server.url(db, monitor), '--interval', '1']);
		const before = [await watch.next(), await watch.next()];
		assert.deepEqual(
			before.map(l => l.deadlocks),
			[0, 0],
		);
		await deadlock(db);
		await deadlock(db);
		const after: WatchedLine[] = [];
		while (after.reduce((n, l) => n + (l.deadlocks ?? 0), 0) < 2 && after.length < 8) after.push(await watch.next());
		assert.equal(after.reduce((n, l) => n + (l.deadlocks ?? 0), 0), 2, after.map(l => l.deadlocks).join(' '));
		// A rolled-back deadlock victim and its partner are the application's rollbacks.
		assert.ok(after.some(l => l.rollbacks_per_s! > 0));
		const next = await watch.next();
		assert.equal(next.deadlocks, 0, 'counted once, not again');
		watch.child.kill('SIGINT');
		assert.equal(await watch.exited, 0);
		assert.equal(watch.stderr(), '');
	});
});

test('a connection dropped mid-watch is reported and taken again once; the watch goes on', async () => {
	const db = await denokvDatabase();
	await withLoad(db, async () => {
		const sessionsBefore = await sessionsSince(db, 0, settingUp + loadClients);
		const watch = startWatch(['--url', server.url(db, monitor), '--interval', '0.5', '--count', '8']);
		await watch.next();
		await watch.next();
		const {rows} = await server.sql('postgres', `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = 'pg500' AND datname = '${db}'`);
		assert.equal(rows[0].n, 1, 'one connection of pg500 to end');
		assert.equal(await watch.exited, 0, watch.stderr());
		const said = watch.stderr().trim().split('\n');
		assert.equal(said.length, 1, watch.stderr());
		assert.match(said[0]!, /^pg500: \d\d:\d\d:\d\d UTC the connection dropped \(.*\); pg500 reconnects once at the next sample$/);
		// The sample of the drop is missing; the others are there, counted against the same counters.
		assert.equal(watch.lines.length, 7);
		assert.ok(watch.lines.every(l => l.commits_per_s !== null));
		assert.equal(await sessionsSince(db, sessionsBefore, 2), 2, 'the first connection, and one reconnect');
	});
});

test('a target that goes away mid-watch and does not come back: reported, exit 2', async () => {
	const doomed = await startTestServer();
	let stopped = false;
	try {
		const db = await doomed.createDatabase({denokv: true});
		const watch = startWatch(['--url', doomed.url(db), '--interval', '0.5']);
		await watch.next();
		await doomed.stop();
		stopped = true;
		assert.equal(await watch.exited, 2);
		const said = watch.stderr().trim().split('\n');
		assert.equal(said.length, 2, watch.stderr());
		assert.match(said[0]!, /the connection dropped/);
		assert.match(said[1]!, /the target is gone: the target did not come back \(/);
		assert.doesNotMatch(watch.stderr(), /at .*\.(m?js|ts):\d+/, 'no stack trace');
	} finally {
		if (!stopped) await doomed.stop();
	}
});

test('a target that cannot be reached at the first sample: one line, exit 2', async () => {
	const port = await freePort();
	const watch = startWatch(['--url', `postgres://nobody:secret-pw@127.0.0.1:${port}/db`, '--interval', '0.5']);
	assert.equal(await watch.exited, 2);
	assert.equal(watch.lines.length, 0);
	const said = watch.stderr().trim().split('\n');
	assert.equal(said.length, 1, watch.stderr());
	assert.match(said[0]!, /^pg500: .* cannot reach the target: refused/);
	assert.doesNotMatch(watch.stderr(), /secret-pw/);
});

test('--server-log: errors per minute of the denokv log followed as it grows; a role that cannot see other sessions is told the GRANT', async () => {
	const db = await denokvDatabase();
	const dir = await mkdtemp(path.join(os.tmpdir(), 'pg500-watch-'));
	const log = path.join(dir, 'denokv.log');
	await writeFile(log, '');
	try {
		const watch = startWatch(['--url', server.url(db, {user: 'plain', password: 'plain-pw'}), '--interval', '0.5', '--server-log', log, '--format', 'json']);
		assert.equal((await watch.next()).server_log_errors_per_min, 0);
		const failed = (text: string) => formatEnvLoggerLine(new Date(), 'ERROR', 'denokv', `atomic_write failed: Database error: db error: ERROR: ${text}`);
		await appendFile(log, Array.from({length: 6}, () => `${failed('deadlock detected')}\n`).join(''));
		let line = await watch.next();
		while (line.server_log_errors_per_min === 0) line = await watch.next();
		assert.equal(line.server_log_errors_per_min, 6);
		watch.child.kill('SIGTERM');
		assert.equal(await watch.exited, 0);
		assert.match(watch.stderr(), /role "plain" lacks pg_read_all_stats: .* GRANT pg_read_all_stats TO "plain";/);
	} finally {
		await rm(dir, {recursive: true, force: true});
	}
});

test('bad arguments: one line each, exit 3, no stack', async () => {
	const cases: [string[], RegExp][] = [
		[['--interval', '0'], /--interval must be a number of seconds from 0\.1 to 86400, got "0"/],
		[['--interval', 'soon'], /--interval must be a number of seconds/],
		[['--count', '0'], /--count must be a whole number from 1/],
		[['--format', 'xml'], /--format.*xml.*json, text/],
		[['--server-log', '-'], /--server-log - cannot be followed as it grows/],
		[['--server-log', '/nonexistent/denokv.log'], /cannot read the log file \/nonexistent\/denokv.log: no such file/],
		[['--url', 'mysql://x'], /not a valid PostgreSQL URL/],
	];
	for (const [args, message] of cases) {
		const watch = startWatch(['--url', server.url('postgres'), ...args]);
		assert.equal(await watch.exited, 3, args.join(' '));
		const said = watch.stderr().trim().split('\n');
		assert.equal(said.length, 1, watch.stderr());
		assert.match(said[0]!, message);
	}
});
