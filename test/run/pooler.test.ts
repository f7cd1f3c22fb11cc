import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {mkdtemp, readFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {startTestServer, superuser, type TestServer} from '../support/pg.ts';

const superuserPassword = superuser.password;
import {startPgBouncer, type TestPgBouncer} from '../support/pgbouncer.ts';
import {startWriteLoad, type WriteLoad} from '../../source/drill/write-load.ts';
import type {JsonReport} from '../../source/report/json.ts';
import {runReport as pg500} from './helpers.ts';

/* A real PgBouncer (Debian's 1.18) in front of a real PostgreSQL, under
 * denokv-shaped write loads: healthy through transaction mode, saturated
 * (the pool held by real clients; max_client_conn; a wait with no timeout),
 * and denokv's named prepared statements broken by transaction mode. One
 * server and one PgBouncer for the whole file. */

let server: TestServer;
let bouncer: TestPgBouncer;
let healthyDb: string;
let namedDb: string;
let saturatedDb: string;
/** The pool size of the saturated database: this many held transactions fill it. */
const saturatedPoolSize = 2;

before(async () => {
	server = await startTestServer({max_connections: '80'});
	healthyDb = await server.createDatabase({denokv: true});
	namedDb = await server.createDatabase({denokv: true});
	saturatedDb = await server.createDatabase({denokv: true});
	bouncer = await startPgBouncer(server, {
		databases: {[saturatedDb]: `pool_size=${saturatedPoolSize}`},
		settings: {query_wait_timeout: 3},
	});
});
after(async () => {
	await bouncer?.stop();
	await server?.stop();
});

/** A test that has not finished by then is stuck (a hang fails it instead of holding the whole suite). */
const stuck = 180_000;

const stepOf = (report: JsonReport, id: string) => report.steps.find(s => s.id === id)!;
const problems = (report: JsonReport) => report.steps.flatMap(s => s.findings.filter(f => f.severity !== 'info').map(f => `${s.id}: ${f.message}`));
const fixText = (report: JsonReport) => [report.fix?.summary, ...(report.fix?.actions ?? [])].join('\n');

async function logPath(name: string): Promise<string> {
	return path.join(await mkdtemp(path.join(os.tmpdir(), 'pg500-pooler-log-')), name);
}

async function until(what: string, check: () => Promise<boolean> | boolean, seconds = 30): Promise<void> {
	const end = Date.now() + seconds * 1000;
	while (!(await check())) {
		if (Date.now() > end) throw new Error(`${what}: not within ${seconds} s`);
		await new Promise(resolve => setTimeout(resolve, 100));
	}
}

async function stopping<T>(load: WriteLoad, body: () => Promise<T>): Promise<T> {
	try {
		return await body();
	} finally {
		await load.stop();
	}
}

test('a healthy load through PgBouncer in transaction mode: every step runs, target.pooler is pgbouncer, ok', {timeout: stuck}, async () => {
	const serverLog = await logPath('denokv.log');
	// A client fit for transaction mode: unnamed statements.
	const load = startWriteLoad({url: bouncer.url(healthyDb), clients: 10, namedStatements: false, logPath: serverLog});
	await stopping(load, async () => {
		await load.flowing;
		const {report, exitCode} = await pg500(bouncer.url(healthyDb), {serverLog, pgbouncerUrl: bouncer.consoleUrl});
		assert.equal(report.target?.pooler, 'pgbouncer');
		assert.deepEqual(problems(report), []);
		assert.deepEqual(report.steps.filter(s => s.status === 'error').map(s => `${s.id}: ${s.error?.message}`), []);
		assert.equal(report.verdict, 'ok');
		assert.equal(exitCode, 0);
		for (const id of ['server-logs', 'connect', 'pgbouncer', 'connections', 'locks', 'timeouts', 'schema', 'quick-check'])
			assert.ok(['ok', 'warning', 'critical'].includes(stepOf(report, id).status), `${id}: ${stepOf(report, id).status}`);
		assert.ok(stepOf(report, 'connect').findings.some(f => /through PgBouncer/.test(f.message)));
		// The console was read: the load's pool is there, nobody waits.
		const pool = stepOf(report, 'pgbouncer').rows.find(r => r.kind === 'pool' && r.database === healthyDb);
		assert.ok(pool, JSON.stringify(stepOf(report, 'pgbouncer').rows));
		assert.equal(pool.cl_waiting, 0);
		assert.equal(pool.pool_mode, 'transaction');
		// The writes went on while pg500 looked, and none failed.
		assert.equal(load.stats().failed, 0, load.stats().lastError);

		// The same load seen directly: no pooler, and the pgbouncer step says why it did not run.
		const direct = await pg500(server.url(healthyDb), {serverLog});
		assert.equal(direct.report.target?.pooler, null);
		assert.equal(stepOf(direct.report, 'pgbouncer').status, 'skipped');
		assert.match(stepOf(direct.report, 'pgbouncer').reason ?? '', /no PgBouncer answered/);
		assert.equal(direct.report.verdict, 'ok');
	});
});

test("denokv's named prepared statements through transaction mode: pooler first, with the named-statements fix", {timeout: stuck}, async () => {
	const serverLog = await logPath('denokv.log');
	const load = startWriteLoad({url: bouncer.url(namedDb), clients: 6, logPath: serverLog});
	await stopping(load, async () => {
		await until('prepared-statement failures', () => load.stats().failed >= 10);
		assert.match(load.stats().lastError ?? '', /prepared statement "s\d+" (already exists|does not exist)/);
		const {report, exitCode} = await pg500(bouncer.url(namedDb), {serverLog});
		assert.equal(exitCode, 2);
		assert.equal(report.causes[0]!.id, 'pooler', JSON.stringify(report.causes.slice(0, 2)));
		assert.equal(report.causes[0]!.likelihood, 'likely');
		assert.match(report.causes[0]!.evidence[0]!, /named prepared statement.*max_prepared_statements/s);
		assert.equal(report.target?.pooler, 'pgbouncer');
		const rows = stepOf(report, 'server-logs').rows;
		assert.ok(rows.some(r => String(r.class).startsWith('prepared-statement-') && r.cause === 'pooler'), JSON.stringify(rows));
		assert.ok(!rows.some(r => r.class === 'unclassified'), 'no line left unclassified');
		assert.equal(report.fix?.id, 'fix-pooler');
		assert.match(fixText(report), /max_prepared_statements/);
		assert.match(fixText(report), /session mode|pool_mode = session/);
	});
});

test('a saturated pool: query_wait_timeout, max_client_conn and a wait with no end are pooler first, never a firewall', {timeout: stuck}, async () => {
	const serverLog = await logPath('denokv.log');
	// Real clients hold every server connection of the pool in open transactions.
	const holders: pg.Client[] = [];
	for (let i = 0; i < saturatedPoolSize; i++) {
		const client = new pg.Client({connectionString: bouncer.url(saturatedDb)});
		client.on('error', () => {});
		await client.connect();
		await client.query('BEGIN');
		await client.query('SELECT 1');
		holders.push(client);
	}
	const admin = new pg.Client({connectionString: bouncer.consoleUrl});
	admin.on('error', () => {});
	await admin.connect();
	// denokv's writes queue behind them, and PgBouncer ends each wait after query_wait_timeout (3 s).
	const load = startWriteLoad({url: bouncer.url(saturatedDb), clients: 4, namedStatements: false, logPath: serverLog});
	try {
		await until('query_wait_timeout in the denokv log', async () => (await readFile(serverLog, 'utf8').catch(() => '')).includes('query_wait_timeout'));

		const waited = await pg500(bouncer.url(saturatedDb), {serverLog});
		const connect = stepOf(waited.report, 'connect');
		assert.equal(connect.rows[0]!.failure, 'pooler-wait', JSON.stringify(connect.rows[0]));
		assert.ok(connect.findings.some(f => f.severity === 'critical' && /PgBouncer/.test(f.message)));
		assert.equal(waited.report.causes[0]!.id, 'pooler', JSON.stringify(waited.report.causes.slice(0, 2)));
		assert.equal(waited.report.target?.pooler, 'pgbouncer');
		assert.ok(stepOf(waited.report, 'server-logs').rows.some(r => r.class === 'pooler-query-wait-timeout'));
		assert.doesNotMatch(fixText(waited.report), /firewall/i);
		assert.equal(waited.exitCode, 2);

		// Every client slot taken: PgBouncer refuses the login itself; its console (never limited) shows the slots full.
		const clients = (await admin.query('SHOW CLIENTS')).rows.length;
		await admin.query(`SET max_client_conn = ${clients}`);
		try {
			const full = await pg500(bouncer.url(saturatedDb), {serverLog, pgbouncerUrl: bouncer.consoleUrl});
			assert.equal(stepOf(full.report, 'connect').rows[0]!.failure, 'pooler-full');
			assert.ok(stepOf(full.report, 'pgbouncer').findings.some(f => f.severity === 'critical' && /max_client_conn/.test(f.message)));
			assert.equal(full.report.causes[0]!.id, 'pooler');
			assert.doesNotMatch(fixText(full.report), /firewall/i);
		} finally {
			await admin.query('SET max_client_conn = 200');
		}

		// No query_wait_timeout: clients hang for a server connection, pg500's first statement too.
		await admin.query('SET query_wait_timeout = 0');
		try {
			await until('a client waiting 6 s', async () => {
				const pool = (await admin.query('SHOW POOLS')).rows.find(p => p.database === saturatedDb);
				return Number(pool?.maxwait ?? 0) >= 6;
			});
			const hung = await pg500(bouncer.url(saturatedDb), {serverLog, pgbouncerUrl: bouncer.consoleUrl, statementTimeout: 1000});
			assert.equal(stepOf(hung.report, 'connect').rows[0]!.failure, 'no-answer');
			const waiting = stepOf(hung.report, 'pgbouncer').findings.find(f => /wait for a server connection/.test(f.message));
			assert.equal(waiting?.severity, 'critical', JSON.stringify(stepOf(hung.report, 'pgbouncer').findings));
			const pool = stepOf(hung.report, 'pgbouncer').rows.find(r => r.kind === 'pool' && r.database === saturatedDb)!;
			assert.equal(pool.sv_active, saturatedPoolSize);
			assert.equal(pool.pool_size, saturatedPoolSize);
			assert.equal(hung.report.causes[0]!.id, 'pooler');
			// pg500's own connection could not tell; the console at the same address did.
			assert.equal(hung.report.target?.pooler, 'pgbouncer');
			assert.doesNotMatch(fixText(hung.report), /firewall/i);
		} finally {
			await admin.query('SET query_wait_timeout = 3');
		}
	} finally {
		await load.stop();
		await Promise.allSettled(holders.map(h => h.end()));
		await admin.end();
	}
});

test("PgBouncer's own log, read as the PostgreSQL log or as the server log: each refusal counted once, by its reason", {timeout: stuck}, async () => {
	// The stopped load's last waiters are refused when their wait times out: the log is final once none is left.
	await until('no client waiting any more', async () => !(await bouncer.console('SHOW CLIENTS')).some(c => c.state === 'waiting'));
	await new Promise(resolve => setTimeout(resolve, 500));
	const log = await readFile(bouncer.logPath, 'utf8');
	const refusals = (reason: string) => log.split('\n').filter(line => line.includes(`pooler error: ${reason}`)).length;
	const waits = refusals('query_wait_timeout');
	assert.ok(waits > 0, 'the saturated pool left its refusals in the log');
	// As the PostgreSQL log (--pg-log), beside a direct connection.
	const asPgLog = await pg500(server.url(saturatedDb), {pgLog: bouncer.logPath, logSince: Number.POSITIVE_INFINITY});
	const pgRows = stepOf(asPgLog.report, 'postgres-logs').rows;
	assert.equal(pgRows.find(r => r.class === 'pooler-query-wait-timeout')?.count, waits, JSON.stringify(pgRows));
	assert.equal(pgRows.find(r => r.class === 'pooler-max-client-conn')?.count, refusals('no more connections allowed (max_client_conn)'));
	assert.equal(asPgLog.report.causes[0]!.id, 'pooler');
	// As the server log (--server-log): its "closing because" twin lines are not counted again.
	const asServerLog = await pg500(server.url(saturatedDb), {serverLog: bouncer.logPath, logSince: Number.POSITIVE_INFINITY});
	const serverRows = stepOf(asServerLog.report, 'server-logs').rows;
	assert.equal(serverRows.find(r => r.class === 'pooler-query-wait-timeout')?.count, waits, JSON.stringify(serverRows));
});

test('a console pg500 cannot read is the step’s error, with why, and the run goes on', {timeout: stuck}, async () => {
	const console = new URL(bouncer.consoleUrl);
	// PgBouncer here has no TLS: sslmode=require is refused at once.
	const tls = await pg500(bouncer.url(healthyDb), {pgbouncerUrl: `${bouncer.consoleUrl}?sslmode=require`});
	assert.match(stepOf(tls.report, 'pgbouncer').error?.message ?? '', /cannot read PgBouncer's admin console at 127\.0\.0\.1:\d+: .*SSL/);
	assert.equal(stepOf(tls.report, 'schema').status, 'ok', 'the steps after it ran');
	// A user that is neither in admin_users nor in stats_users.
	console.username = 'postgres';
	console.password = superuserPassword;
	const refused = await pg500(bouncer.url(healthyDb), {pgbouncerUrl: console.href});
	assert.match(stepOf(refused.report, 'pgbouncer').error?.hint ?? '', /admin_users or stats_users/);
	assert.doesNotMatch(JSON.stringify(refused.report), new RegExp(superuserPassword));
});
