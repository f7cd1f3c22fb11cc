import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {startTestServer, type TestServer} from '../support/pg.ts';
import {createExecutor} from '../../source/session/create-executor.ts';
import {createSession} from '../../source/session/controller.ts';
import {runHeadless} from '../../source/commands/run.ts';
import {initialState} from '../../source/engine/reducer.ts';
import {loadRunbook} from '../../source/runbook/load.ts';
import {openJournal} from '../../source/journal/write.ts';
import {renderReport} from '../../source/report/render.ts';
import {quoteIdent, quoteLiteral} from '../../source/sql/quote.ts';

/* Issue 14, item 2: a password with ' " @ / % : in it, given raw or
 * percent-encoded in --url, in DATABASE_URL, in PGPASSWORD or in .pgpass.
 * pg500 must log in with it (so it read it whole) and never write any piece
 * of it: every file written and everything printed is searched for every
 * fragment. */

const password = `Zq'9"Xw@K7/Jm%zzP:Vb`;
const encoded = encodeURIComponent(password);
/** Every 5-character piece of the password, raw and encoded: a leak of part of it is a leak. */
const fragments = [...new Set([password, encoded].flatMap(text => Array.from({length: text.length - 4}, (_, i) => text.slice(i, i + 5))))];
const root = path.resolve(import.meta.dirname, '../..');
const bundle = path.join(root, 'dist/pg500.mjs');

let server: TestServer;
let db: string;
let dir: string;
before(async () => {
	server = await startTestServer();
	db = await server.createDatabase({denokv: true});
	await server.sql('postgres', `CREATE ROLE leaky LOGIN PASSWORD ${quoteLiteral(password)}; GRANT pg_monitor TO leaky`);
	dir = mkdtempSync(path.join(os.tmpdir(), 'pg500-secrets-'));
});
after(async () => {
	await server.stop();
	rmSync(dir, {recursive: true, force: true});
});

function allFiles(from: string): string[] {
	return readdirSync(from).flatMap(name => {
		const file = path.join(from, name);
		return statSync(file).isDirectory() ? allFiles(file) : [file];
	});
}

function assertNoFragment(text: string, where: string): void {
	for (const fragment of fragments) assert.equal(text.includes(fragment), false, `${where} holds "${fragment}" of the password`);
}

const host = '127.0.0.1';
const sources = () => {
	const base = `${host}:${server.port}/${db}?sslmode=disable`;
	const pgpass = path.join(dir, 'pgpass.conf');
	writeFileSync(pgpass, `${host}:${server.port}:${db}:leaky:${password.replace(/([:\\])/g, '\\$1')}\n`, {mode: 0o600});
	const pgEnv = {PGHOST: host, PGPORT: String(server.port), PGUSER: 'leaky', PGDATABASE: db, PGSSLMODE: 'disable'};
	return [
		{name: 'url-raw', url: `postgres://leaky:${password}@${base}`, env: {}},
		{name: 'url-encoded', url: `postgres://leaky:${encoded}@${base}`, env: {}},
		{name: 'database-url', env: {DATABASE_URL: `postgresql://leaky:${password}@${base}`}},
		{name: 'pgpassword', env: {...pgEnv, PGPASSWORD: password}},
		{name: 'pgpass', env: {...pgEnv, PGPASSFILE: pgpass}},
	] as {name: string; url?: string; env: NodeJS.ProcessEnv}[];
};

test('a password with quotes, @, /, % and : logs in from every source and appears in no file and no output', async () => {
	const runbook = await loadRunbook();
	// The denokv log quotes its own command line with the URL in it, as a misconfigured service does.
	const serverLog = path.join(dir, 'denokv.log');
	writeFileSync(
		serverLog,
		[
			`[2024-05-01T03:00:00Z INFO  denokv] starting: denokv --postgres-url postgres://leaky:${password}@db:5432/kv serve`,
			`[2024-05-01T03:00:01Z ERROR denokv] atomic_write failed: Database error: db error: ERROR: deadlock detected (url=postgres://leaky:${encoded}@db/kv)`,
			'',
		].join('\n'),
	);
	for (const source of sources()) {
		const out = path.join(dir, source.name);
		spawnSync('mkdir', ['-p', out]);
		const options = {url: source.url, serverLog, statementTimeout: 5000, logTailMb: 64, color: false};
		const executor = createExecutor(options, {...source.env, HOME: dir});
		// The guided session keeps exactly these options in its journal.
		const journal = openJournal({dir: path.join(out, 'state'), runbookPath: runbook.path, runbookText: 'id: x', target: executor.target, options});
		try {
			// The session `pg500` drives, every event journaled, walked to the end as `run` walks it.
			const session = createSession({state: initialState(runbook), executor, journal});
			session.start();
			const state = await session.runToEnd();
			const connect = state.steps['connect']!;
			assert.equal(connect.status === 'ok' || connect.status === 'warning', true, `${source.name}: logged in (${JSON.stringify(connect.rows[0])})`);
			assert.equal(state.target?.user, 'leaky', `${source.name}: as the right user`);
			assert.equal(state.target?.database, db, `${source.name}: in the right database`);
			for (const format of ['json', 'markdown', 'html'] as const) writeFileSync(path.join(out, `report.${format}`), renderReport(state, format));
		} finally {
			journal.close();
			await executor.close();
		}
		// And as the operator runs it: the bin, its standard output and standard error.
		const cli = spawnSync(process.execPath, [bundle, 'run', ...(source.url ? ['--url', source.url] : []), '--server-log', serverLog], {
			encoding: 'utf8',
			env: {PATH: process.env.PATH, HOME: dir, ...source.env},
		});
		assert.ok(cli.status === 0 || cli.status === 1 || cli.status === 2, `${source.name}: ${cli.stderr}`);
		assert.match(cli.stdout, /leaky@127\.0\.0\.1/);
		assertNoFragment(cli.stdout + cli.stderr, `${source.name}: the output of pg500 run`);
	}
	const written = allFiles(dir).filter(f => f !== serverLog && path.basename(f) !== 'pgpass.conf');
	assert.ok(written.filter(f => f.endsWith('.jsonl')).length === sources().length, 'a journal per source');
	for (const file of written) assertNoFragment(readFileSync(file, 'utf8'), file);
});

test('a wrong password, a malformed URL: the error says so and shows no part of the password', () => {
	for (const url of [
		`postgres://leaky:${password}x@${host}:${server.port}/${db}?sslmode=disable`,
		`postgres://leaky:${password}@${host}:notaport/${db}`,
		`mysql://leaky:${password}@${host}/${db}`,
	]) {
		const r = spawnSync(process.execPath, [bundle, 'run', '--url', url], {encoding: 'utf8', env: {PATH: process.env.PATH, HOME: dir}});
		assert.ok(r.status === 2 || r.status === 3, r.stderr);
		assertNoFragment(r.stdout + r.stderr, url);
	}
});

test('a role named to inject SQL gets a GRANT that grants, and drops nothing, when pasted as shown', async () => {
	const role = `x'y"; DROP TABLE kv_store; --`;
	await server.sql('postgres', `CREATE ROLE ${quoteIdent(role)} LOGIN PASSWORD 'role-pw'`);
	const url = `postgres://${encodeURIComponent(role)}:role-pw@${host}:${server.port}/${db}?sslmode=disable`;
	const runbook = await loadRunbook();
	const executor = createExecutor({url, statementTimeout: 5000, logTailMb: 64, color: false}, {HOME: dir});
	let suggestion: string | undefined;
	try {
		const {state} = await runHeadless({runbook, executor, report: {format: 'json', output: path.join(dir, 'role.json')}});
		const message = state.steps['connect']!.findings.find(f => f.ruleId === 'limited-view')?.message ?? '';
		suggestion = /GRANT pg_monitor TO .*;$/.exec(message)?.[0];
	} finally {
		await executor.close();
	}
	assert.equal(suggestion, `GRANT pg_monitor TO "x'y""; DROP TABLE kv_store; --";`);
	await server.sql(db, suggestion!);
	const after = await server.sql(db, `SELECT to_regclass('public.kv_store') IS NOT NULL AS kept, pg_has_role(${quoteLiteral(role)}, 'pg_monitor', 'USAGE') AS granted`);
	assert.deepEqual(after.rows[0], {kept: true, granted: true});
});
