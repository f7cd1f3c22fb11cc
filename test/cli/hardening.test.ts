import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {spawn, spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {testRunbook} from '../ui/frames.ts';

/* The CLI as an attacker and a bad day meet it (issue 14): standard output
 * that fails, inputs that are not files, runbooks that would act on the
 * database, text that would drive the terminal. The built bundle, as users run it. */

const root = new URL('../..', import.meta.url).pathname;
const bundle = join(root, 'dist/pg500.mjs');
/** Nothing listens on port 1: the connection is refused at once, a critical verdict (exit 2). */
const unreachable = 'postgres://app@127.0.0.1:1/denokv?sslmode=disable';
let dir: string;

before(() => {
	if (!existsSync(bundle)) {
		const built = spawnSync(process.execPath, ['scripts/build.mjs'], {cwd: root, encoding: 'utf8'});
		assert.equal(built.status, 0, `the build failed: ${built.stderr}`);
	}
	dir = mkdtempSync(join(tmpdir(), 'pg500-harden-'));
});
after(() => rmSync(dir, {recursive: true, force: true}));

function pg500(args: string[], options: {env?: NodeJS.ProcessEnv; stdout?: number | 'pipe'} = {}) {
	const r = spawnSync(process.execPath, [bundle, ...args], {
		cwd: root,
		encoding: 'utf8',
		env: {PATH: process.env.PATH, HOME: dir, NO_COLOR: '1', ...options.env},
		stdio: ['ignore', options.stdout ?? 'pipe', 'pipe'],
		timeout: 60_000,
	});
	return {code: r.status, stdout: r.stdout ?? '', stderr: r.stderr, signal: r.signal};
}

function file(name: string, text: string): string {
	const path = join(dir, name);
	writeFileSync(path, text);
	return path;
}

const oneLine = /^pg500: [^\n]+\n$/;
const raw = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/;

test('a reader that goes away (| true): the verdict exit code, no stack trace, nothing on stderr', async () => {
	const child = spawn(process.execPath, [bundle, 'run', '--url', unreachable], {cwd: root, env: {PATH: process.env.PATH, HOME: dir}, stdio: ['ignore', 'pipe', 'pipe']});
	// Closed before pg500 writes a byte: its write meets EPIPE, as under `| true`.
	child.stdout.destroy();
	let stderr = '';
	child.stderr.on('data', chunk => (stderr += chunk));
	const code = await new Promise(resolve => child.on('close', resolve));
	assert.equal(code, 2, 'critical: the target cannot be reached');
	assert.equal(stderr, '');
});

test('standard output on a full device (> /dev/full): one line, exit 3, not the verdict', {skip: !existsSync('/dev/full') && 'no /dev/full'}, () => {
	const full = spawnSync('sh', ['-c', `exec "${process.execPath}" "${bundle}" run --url '${unreachable}' > /dev/full`], {encoding: 'utf8', env: {PATH: process.env.PATH, HOME: dir}});
	assert.equal(full.status, 3);
	assert.equal(full.stderr, 'pg500: cannot write to standard output: no space left on the device\n');
	const journal = join(dir, 'empty-session.jsonl');
	writeFileSync(journal, `${JSON.stringify({type: 'session', version: 1, runbookPath: 'r.yaml', runbookText: testRunbook, target: {host: 'h', port: 5432, database: 'd', user: 'u', serverVersion: null}, options: {}, startedAt: '2024-05-01T03:00:00.000Z'})}\n`);
	const report = spawnSync('sh', ['-c', `exec "${process.execPath}" "${bundle}" report "${journal}" > /dev/full`], {encoding: 'utf8'});
	assert.equal(report.status, 3);
	assert.match(report.stderr, /^pg500: cannot write to standard output: no space left on the device\n$/);
});

test('numeric options are range-checked, the connect timeout too: one line, exit 3', () => {
	const r = pg500(['run', '--url', unreachable], {env: {PGCONNECT_TIMEOUT: '99999999'}});
	assert.equal(r.code, 3);
	assert.equal(r.stderr, 'pg500: connect_timeout (PGCONNECT_TIMEOUT) must be a whole number of seconds from 0 to 86400, got "99999999"\n');
	// The largest accepted timeout does not overflow into "every check times out": the run judges the target.
	assert.equal(pg500(['run', '--url', unreachable, '--statement-timeout', '86400000']).code, 2);
});

test('inputs that are not regular files are refused at once: report /dev/zero, a FIFO journal, a FIFO runbook', {skip: process.platform === 'win32'}, () => {
	const fifo = join(dir, 'fifo');
	assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
	for (const args of [['report', '/dev/zero'], ['report', fifo], ['validate', fifo], ['run', '--url', unreachable, '--runbook', fifo]]) {
		const r = pg500(args);
		assert.equal(r.signal, null, `${args.join(' ')} did not hang`);
		assert.equal(r.code, 3, args.join(' '));
		assert.match(r.stderr, /not a regular file/, args.join(' '));
		assert.equal(r.stderr.split('\n').length, 2, `${args.join(' ')}: one line`);
	}
	// A journal past the cap is not read into memory.
	const huge = join(dir, 'huge.jsonl');
	writeFileSync(huge, '');
	truncateSync(huge, 65 * 1024 * 1024);
	const r = pg500(['report', huge]);
	assert.equal(r.code, 3);
	assert.match(r.stderr, oneLine);
	assert.match(r.stderr, /larger than 64 MB/);
});

test('runbook text with escape sequences and invisible characters is shown escaped by validate', () => {
	const evil = file('evil.yaml', testRunbook.replace('id: ui-test', 'id: ui-test\n"k\u001b]0;pwned\u0007\u202e": 1'));
	const r = pg500(['validate', evil]);
	assert.equal(r.code, 3);
	assert.doesNotMatch(r.stderr, raw);
	assert.match(r.stderr, /unknown key "k\\x1b\]0;pwned\\x07\\u202e"/);
});

/** A runbook whose one check runs `sql`, on line 8 at column 7 + whatever precedes the offending word on its line. */
function sideEffectRunbook(name: string, sql: string): string {
	return file(`${name}.yaml`, testRunbook.replace(/    query: \|\n      select pid[^\n]*\n[^\n]*\n/, `    query: |\n      ${sql}\n`));
}

test('runbook SQL with side effects: validate names each at file:line:col, run refuses before connecting', () => {
	const families: [string, string, string][] = [
		['terminate', 'select pg_terminate_backend(pid) from pg_stat_activity', 'pg_terminate_backend'],
		['cancel', 'select pg_cancel_backend(pid) from pg_stat_activity', 'pg_cancel_backend'],
		['copy-program', "COPY (select 1) TO PROGRAM 'touch /tmp/pwned'", 'COPY'],
		['copy-file', "COPY (select 1) TO '/tmp/pwned'", 'COPY'],
		['dblink', "select dblink_exec('dbname=postgres', 'create table pwned()')", 'dblink_exec'],
		['advisory', 'select pg_advisory_lock(42)', 'pg_advisory_lock'],
		['lock', 'LOCK TABLE kv_store IN ACCESS EXCLUSIVE MODE', 'LOCK'],
		['prepare', 'PREPARE p AS select 1', 'PREPARE'],
		['reload', 'select pg_reload_conf()', 'pg_reload_conf'],
		['stat-reset', 'select pg_stat_reset()', 'pg_stat_reset'],
		['switch-wal', 'select pg_switch_wal()', 'pg_switch_wal'],
		['checkpoint', 'CHECKPOINT', 'CHECKPOINT'],
		['analyze', 'ANALYZE kv_store', 'ANALYZE'],
		['vacuum', 'VACUUM kv_store', 'VACUUM'],
		['notify', "select pg_notify('denokv', 'x')", 'pg_notify'],
		['set-config', "select set_config('statement_timeout', '0', false)", 'set_config'],
		['commit', 'COMMIT', 'COMMIT'],
		['rollback', 'ROLLBACK', 'ROLLBACK'],
		['set-transaction', 'SET TRANSACTION READ WRITE', 'SET'],
		['second-statement', 'select 1; commit', 'commit'],
		['quoted-name', 'select "pg_terminate_backend"(1)', '"pg_terminate_backend"'],
		['hidden-in-query-to-xml', "select query_to_xml('select pg_terminate_backend(1)', false, true, '')", 'pg_terminate_backend'],
		['dynamic-query-to-xml', "select query_to_xml(format('select %s', 1), false, true, '')", 'query_to_xml'],
		['for-update', 'select * from kv_store for update', 'update'],
		['data-modifying-cte', 'with gone as (delete from kv_store returning *) select count(*) from gone', 'delete'],
	];
	for (const [name, sql, word] of families) {
		const path = sideEffectRunbook(name, sql);
		const r = pg500(['validate', path]);
		assert.equal(r.code, 3, `${name}: ${r.stdout}`);
		const line = readFileSync(path, 'utf8').split('\n').findIndex(l => l.includes(sql)) + 1;
		const col = readFileSync(path, 'utf8').split('\n')[line - 1]!.indexOf(word) + 1;
		assert.match(r.stderr, new RegExp(`^${path.replace(/[.]/g, '\\.')}:${line}:${col}: `, 'm'), `${name}: ${r.stderr}`);
		assert.match(r.stderr, /check reads only|pg500 checks it only|check is one statement/, name);
	}
	// run and the guided TUI load runbooks the same way: refused with the same lines, exit 3, no connection tried.
	const run = pg500(['run', '--url', unreachable, '--runbook', join(dir, 'terminate.yaml')]);
	assert.equal(run.code, 3);
	assert.match(run.stderr, /pg_terminate_backend\(\) signals another server process/);
	assert.equal(pg500(['validate', join(root, 'runbooks/postgres-500.yaml')]).code, 0, 'the default runbook (query_to_xml with a literal read-only query) stays valid');
});

test('a report is never left half-written: no temporary files beside --output after a failed run', () => {
	const out = join(dir, 'out');
	spawnSync('mkdir', [out]);
	const r = pg500(['run', '--url', unreachable, '--format', 'json', '--output', join(out, 'r.json')]);
	assert.equal(r.code, 2);
	assert.deepEqual(readdirSync(out), ['r.json']);
	JSON.parse(readFileSync(join(out, 'r.json'), 'utf8'));
});
