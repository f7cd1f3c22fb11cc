import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {mkdtemp, readFile, writeFile, stat} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import {startTestServer, freePort, superuser, waitForLockWaits, type TestServer} from '../support/pg.ts';
import {cli, runToJson, step} from './helpers.ts';

/* `pg500 run` with the default runbook against real faults: the step
 * statuses, the top cause and the exit code an alerting script relies on. */

let server: TestServer;
before(async () => {
	server = await startTestServer();
	await server.sql('postgres', `CREATE ROLE app LOGIN PASSWORD 'app-pw'`);
});
after(() => server.stop());

const app = {user: 'app', password: 'app-pw'};
const release = (clients: pg.Client[]) => Promise.all(clients.map(c => c.end()));

function assertNoPassword(text: string) {
	assert.equal(text.includes(superuser.password), false, 'the password leaked');
	assert.equal(text.includes('app-pw'), false, 'the password leaked');
}

test('a healthy denokv database: every check ok, exit 0', async () => {
	const db = await server.createDatabase({denokv: true});
	const {exitCode, report, text} = await runToJson(server.url(db));
	assert.equal(report.verdict, 'ok');
	assert.equal(exitCode, 0);
	for (const id of ['connect', 'connections', 'locks', 'timeouts', 'schema', 'quick-check']) assert.equal(step(report, id).status, 'ok', id);
	assert.deepEqual(report.target, {host: '127.0.0.1', port: server.port, database: db, user: 'postgres', serverVersion: report.target.serverVersion, pooler: null});
	assert.match(report.target.serverVersion ?? '', /^\d+\.\d+$/);
	assertNoPassword(text);
});

test('a healthy database and a server log full of deadlocks: the log decides, deadlocks first, exit 2', async () => {
	const db = await server.createDatabase({denokv: true});
	const dir = await mkdtemp(path.join(os.tmpdir(), 'pg500-log-'));
	const log = path.join(dir, 'denokv.log');
	const start = Date.now() - 10 * 60_000;
	const lines: string[] = [];
	for (let i = 0; i < 40; i++) {
		const at = new Date(start + i * 15_000).toISOString();
		lines.push(`[${at} ERROR denokv] atomic_write failed: Database error: db error: ERROR: deadlock detected`);
		lines.push(`[${at} ERROR denokv] Database error: Database error: db error: ERROR: deadlock detected`);
		lines.push(`[${at} INFO  denokv] POST /v2/atomic_write 200`);
	}
	await writeFile(log, `${lines.join('\n')}\n`);
	const {exitCode, report} = await runToJson(server.url(db), {serverLog: log});
	for (const id of ['connect', 'connections', 'locks', 'timeouts', 'schema']) assert.equal(step(report, id).status, 'ok', id);
	const logs = step(report, 'server-logs');
	assert.equal(logs.status, 'critical');
	assert.ok(logs.findings.some(f => /^40 lock errors \(deadlock/.test(f.message)), JSON.stringify(logs.findings));
	assert.equal(report.causes[0]!.id, 'deadlocks');
	assert.equal(report.causes[0]!.likelihood, 'likely');
	assert.equal(exitCode, 2);
});

test('five sessions idle in transaction for over 10 s: connections critical, pool exhaustion first, exit 2', async () => {
	const db = await server.createDatabase({denokv: true});
	const leaks = await Promise.all(Array.from({length: 5}, () => server.connect(db)));
	for (const leak of leaks) await leak.query('BEGIN; SELECT count(*) FROM kv_store');
	try {
		// Fresh, they look like any write between two statements: not yet a leak.
		const fresh = await runToJson(server.url(db));
		assert.equal(step(fresh.report, 'connections').status, 'ok', JSON.stringify(step(fresh.report, 'connections').findings));
		await new Promise(resolve => setTimeout(resolve, 10_500));
		const {exitCode, report} = await runToJson(server.url(db));
		assert.equal(step(report, 'connections').status, 'critical');
		assert.ok(step(report, 'connections').findings.some(f => /^5 sessions idle in transaction for 10 s or more/.test(f.message)), JSON.stringify(step(report, 'connections').findings));
		assert.equal(report.causes[0]!.id, 'pool-exhaustion');
		assert.equal(exitCode, 2);
	} finally {
		await release(leaks);
	}
});

test('a lock chain on data_version: the root blocker is named, deadlocks cause first, exit 2', async () => {
	const db = await server.createDatabase({denokv: true});
	const holder = await server.connect(db);
	await holder.query('BEGIN; UPDATE data_version SET version = version + 1 WHERE k = 0');
	const holderPid = (await holder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
	const waiters = await Promise.all(Array.from({length: 3}, () => server.connect(db)));
	const waiting = waiters.map(w => w.query('UPDATE data_version SET version = version + 1 WHERE k = 0'));
	await waitForLockWaits(server, db, 3, 1.2);
	try {
		const {exitCode, report} = await runToJson(server.url(db));
		const locks = step(report, 'locks');
		assert.equal(locks.status, 'critical');
		const [summary, root, ...waiting] = locks.rows;
		assert.equal(summary!.kind, 'summary');
		assert.equal(Number(summary!.blocks), 3);
		assert.deepEqual({kind: root!.kind, pid: root!.pid, state: root!.state}, {kind: 'root', pid: holderPid, state: 'idle in transaction'});
		assert.deepEqual(waiting.map(w => [w.kind, w.waits_for]), Array(3).fill(['waiter', String(holderPid)]));
		assert.ok(locks.findings.some(f => f.severity === 'critical' && f.message.startsWith(`Root blocker pid ${holderPid} `)), JSON.stringify(locks.findings));
		assert.equal(report.causes[0]!.id, 'deadlocks');
		assert.equal(exitCode, 2);
	} finally {
		await holder.query('ROLLBACK');
		await Promise.all(waiting);
		await release([holder, ...waiters]);
	}
});

test('a missing table: schema critical, schema cause first, exit 2', async () => {
	const db = await server.createDatabase({denokv: true});
	await server.sql(db, 'DROP TABLE queue_running');
	const {exitCode, report} = await runToJson(server.url(db));
	assert.equal(step(report, 'schema').status, 'critical');
	assert.ok(step(report, 'schema').findings.some(f => /queue_running is missing/.test(f.message)));
	assert.equal(report.causes[0]!.id, 'schema');
	assert.equal(exitCode, 2);
});

test('a missing index only: schema warning, exit 1', async () => {
	const db = await server.createDatabase({denokv: true});
	await server.sql(db, 'DROP INDEX idx_kv_updated_at');
	const {exitCode, report} = await runToJson(server.url(db));
	assert.equal(step(report, 'schema').status, 'warning');
	assert.ok(step(report, 'schema').findings.some(f => /idx_kv_updated_at is missing/.test(f.message)));
	assert.equal(report.causes[0]!.id, 'schema');
	assert.equal(exitCode, 1);
});

test('the data_version row deleted: schema critical, exit 2', async () => {
	const db = await server.createDatabase({denokv: true});
	await server.sql(db, 'DELETE FROM data_version');
	const {exitCode, report} = await runToJson(server.url(db));
	assert.ok(step(report, 'schema').findings.some(f => f.severity === 'critical' && /data_version table has no row/.test(f.message)));
	assert.equal(report.causes[0]!.id, 'schema');
	assert.equal(exitCode, 2);
});

test('database-level statement_timeout and lock_timeout overrides are judged as the application gets them', async () => {
	const db = await server.createDatabase({denokv: true});
	await server.sql(db, `ALTER DATABASE ${db} SET statement_timeout = '500ms'; ALTER DATABASE ${db} SET lock_timeout = '100ms'`);
	const {exitCode, report} = await runToJson(server.url(db));
	const timeouts = step(report, 'timeouts');
	assert.equal(timeouts.status, 'critical');
	assert.ok(timeouts.findings.some(f => f.severity === 'critical' && /statement_timeout = 500ms \(from the database setting\)/.test(f.message)));
	assert.ok(timeouts.findings.some(f => f.severity === 'warning' && /lock_timeout = 100ms/.test(f.message)));
	assert.equal(report.causes[0]!.id, 'timeouts');
	assert.equal(exitCode, 2);
});

test('nothing listening: connect critical, the database checks do not run, connection failure first, exit 2', async () => {
	const {exitCode, report, text} = await runToJson(`postgres://app:app-pw@127.0.0.1:${await freePort()}/kv`);
	assert.equal(step(report, 'connect').status, 'critical');
	assert.equal(step(report, 'connect').rows[0]!.failure, 'refused');
	for (const id of ['connections', 'locks', 'timeouts', 'schema']) assert.equal(step(report, id).status, 'skipped', id);
	assert.equal(report.causes[0]!.id, 'connection-failure');
	assert.equal(exitCode, 2);
	assertNoPassword(text);
});

test('a role without pg_monitor: the session checks warn with the GRANT instead of saying ok', async () => {
	const db = await server.createDatabase({denokv: true});
	const {exitCode, report, text} = await runToJson(server.url(db, app));
	const connections = step(report, 'connections');
	assert.equal(connections.status, 'warning');
	assert.ok(connections.findings.some(f => f.message.includes('GRANT pg_read_all_stats TO "app";')));
	assert.equal(step(report, 'locks').status, 'warning');
	assert.equal(exitCode, 1);
	assertNoPassword(text);
});

test('terminal escape sequences from a session arrive escaped in the JSON and Markdown reports', async () => {
	const db = await server.createDatabase({denokv: true});
	const hostile = await server.connect(db);
	await hostile.query(`SET application_name = E'evil\\x1b]0;pwned\\x07'`);
	await hostile.query(`BEGIN; SELECT 1 /* \x1b[2J cleared */`);
	try {
		const {text} = await runToJson(server.url(db));
		assert.equal(text.includes('\\u001b'), false, 'a raw ESC reached the report');
		assert.ok(text.includes('evil\\\\x1b]0;pwned\\\\x07'));
		const dir = await mkdtemp(path.join(os.tmpdir(), 'pg500-md-'));
		const out = path.join(dir, 'report.md');
		const {code} = await cli(['run', '--url', server.url(db), '--format', 'markdown', '--output', out]);
		assert.equal(code, 0);
		const md = await readFile(out, 'utf8');
		assert.equal(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(md), false);
		assert.equal((await stat(out)).mode & 0o777, 0o600);
	} finally {
		await hostile.end();
	}
});

test('exactly one connection of ours during a run, seen from another session', async () => {
	const db = await server.createDatabase({denokv: true});
	const dir = await mkdtemp(path.join(os.tmpdir(), 'pg500-rb-'));
	const runbook = path.join(dir, 'slow.yaml');
	const slowStep = (id: string) => `  - {id: ${id}, title: ${id}, why: w, kind: sql, query: "SELECT pg_sleep(0.2)"}\n`;
	await writeFile(
		runbook,
		`id: slow\ntitle: Slow\nsteps:\n  - {id: connect, title: C, why: w, kind: connect}\n${['a', 'b', 'c', 'd', 'e'].map(slowStep).join('')}causes:\n  - {id: c, title: C, symptom: s, check: c, fix: f}\nfixes:\n  - {id: f, title: F, summary: s, actions: [a]}\n`,
	);
	const watcher = await server.connect(db);
	let peak = 0;
	let samples = 0;
	let running = true;
	const sampling = (async () => {
		while (running) {
			const {rows} = await watcher.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'pg500'`);
			peak = Math.max(peak, rows[0].n as number);
			samples++;
			await new Promise(resolve => setTimeout(resolve, 10));
		}
	})();
	try {
		const {exitCode} = await runToJson(server.url(db), {runbook});
		assert.equal(exitCode, 0);
	} finally {
		running = false;
		await sampling;
		await watcher.end();
	}
	assert.ok(samples > 1);
	assert.equal(peak, 1);
});

test('bad arguments exit 3 with one line and no password', async () => {
	const badUrl = await cli(['run', '--url', `postgres://app:${superuser.password}@host:notaport/db`]);
	assert.equal(badUrl.code, 3);
	assert.equal(badUrl.stderr.trim().split('\n').length, 1);
	assert.match(badUrl.stderr, /--url is not a valid PostgreSQL URL/);
	assertNoPassword(badUrl.stderr + badUrl.stdout);

	const missingLog = await cli(['run', '--url', server.url('postgres'), '--server-log', '/nonexistent/denokv.log']);
	assert.equal(missingLog.code, 3);
	assert.match(missingLog.stderr, /^pg500: cannot read --server-log \/nonexistent\/denokv.log: no such file\n$/);

	// Refused before the diagnosis runs, not after it.
	const nowhere = await cli(['run', '--url', server.url('postgres'), '--output', '/nonexistent/report.json']);
	assert.equal(nowhere.code, 3);
	assert.equal(nowhere.stderr, 'pg500: cannot write --output /nonexistent/report.json: no directory /nonexistent\n');

	const dir = await mkdtemp(path.join(os.tmpdir(), 'pg500-bad-'));
	const broken = path.join(dir, 'broken.yaml');
	await writeFile(broken, 'id: broken\ntitle: Broken\nsteps:\n  - {id: x, title: X, why: w, kind: sql}\ncauses: []\n');
	const invalid = await cli(['run', '--url', server.url('postgres'), '--runbook', broken]);
	assert.equal(invalid.code, 3);
	assert.match(invalid.stderr, new RegExp(`^${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `, 'm'));
	assertNoPassword(invalid.stderr + invalid.stdout);
});

test('--format summary: the plain lines alone on standard output, the verdict still the exit code', async () => {
	const db = await server.createDatabase({denokv: true});
	const {code, stdout, stderr} = await cli(['run', '--format', 'summary'], {DATABASE_URL: server.url(db)});
	assert.equal(code, 0, stderr);
	// A healthy database: the verdict and where; nothing to act on, no report file to name.
	assert.match(stdout, new RegExp(`^OK: nothing anomalous found — ${db} on 127\\.0\\.0\\.1:\\d+, \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\n$`));
	assertNoPassword(stdout + stderr);
});

test('the JSON report goes to standard output when no --output is given', async () => {
	const db = await server.createDatabase({denokv: true});
	const {code, stdout, stderr} = await cli(['run', '--format', 'json'], {DATABASE_URL: server.url(db)});
	assert.equal(code, 0, stderr);
	const report = JSON.parse(stdout) as {target: {database: string}; verdict: string};
	assert.equal(report.target.database, db);
	assert.equal(report.verdict, 'ok');
	assertNoPassword(stdout + stderr);
});

test('an on-call role with pg_monitor alone (no table privileges): no false schema alarm; a deleted data_version row still found', async () => {
	const db = await server.createDatabase({denokv: true});
	await server.sql('postgres', `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'watcher') THEN CREATE ROLE watcher LOGIN PASSWORD 'watcher-pw' IN ROLE pg_monitor; END IF; END $$`);
	const watcher = {user: 'watcher', password: 'watcher-pw'};
	const healthy = await runToJson(server.url(db, watcher));
	assert.equal(step(healthy.report, 'schema').status, 'ok', JSON.stringify(step(healthy.report, 'schema').findings));
	await server.sql(db, 'DELETE FROM data_version; SELECT pg_stat_force_next_flush()');
	const {report} = await runToJson(server.url(db, watcher));
	assert.ok(step(report, 'schema').findings.some(f => f.severity === 'critical' && /data_version table has no row/.test(f.message)), JSON.stringify(step(report, 'schema').findings));
});
