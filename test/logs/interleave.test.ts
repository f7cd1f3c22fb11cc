import {after, before, test} from 'node:test';
import assert from 'node:assert/strict';
import {runLogStep} from '../../source/logs/run-log-step.ts';
import type {TestServer} from '../support/pg.ts';
import {byClass, counts, deadlock, logFilePath, logText, postgresLogStep, relog, serverLogStep, startLoggingServer, tempDir, type TempDir} from './helpers.ts';

/* Records whose lines interleave with other lines, and logs inside Docker's
 * json-file envelope. The PostgreSQL lines are a real server's (debug
 * logging on, a real deadlock, a real unique violation with its DETAIL);
 * the interleaving is what a server without a logging collector, or a busy
 * one at debug level, writes. */

let server: TestServer;
let tmp: TempDir;
/** The real log: a deadlock and a unique violation among debug lines. */
let realLog: string[];
before(async () => {
	tmp = await tempDir();
	server = await startLoggingServer({log_destination: 'stderr', log_line_prefix: '%m [%p] ', log_min_messages: 'debug2', deadlock_timeout: '100ms'});
	await relog(server, {}, 'interleave.log');
	const database = await server.createDatabase();
	await deadlock(server, database);
	await server.sql(database, 'CREATE TABLE k (id int PRIMARY KEY); INSERT INTO k VALUES (1)');
	await assert.rejects(server.sql(database, 'INSERT INTO k VALUES (1)'), {code: '23505'});
	realLog = (await logText(await logFilePath(server, 'interleave.log'), /ERROR: {2}duplicate key[^\n]*\n[^\n]*DETAIL[^\n]*\n[^\n]*STATEMENT[^\n]*\n/)).trimEnd().split('\n');
});
after(async () => {
	await server.stop();
	await tmp.remove();
});

const now = new Date();
const readPg = async (name: string, lines: string[]) => runLogStep(postgresLogStep, {pgLog: await tmp.write(name, `${lines.join('\n')}\n`), tailBytes: 64 << 20, now});

/** The lines of the message that starts with a line matching `first`: it, its continuation lines, and their tab-indented lines. */
function record(lines: string[], first: RegExp): string[][] {
	const at = lines.findIndex(l => first.test(l));
	const pid = /\[(\d+)\]/.exec(lines[at]!)![1];
	const units: string[][] = [[lines[at]!]];
	for (let i = at + 1; i < lines.length; i++) {
		if (lines[i]!.startsWith('\t')) units.at(-1)!.push(lines[i]!);
		else if (lines[i]!.includes(`[${pid}] `) && /(DETAIL|HINT|CONTEXT|STATEMENT): {2}/.test(lines[i]!)) units.push([lines[i]!]);
		else break;
	}
	return units;
}

test('a deadlock whose DETAIL, HINT and STATEMENT come between other backends’ lines counts once, with its own DETAIL', async () => {
	const deadlockRecord = record(realLog, /ERROR: {2}deadlock detected/);
	const uniqueRecord = record(realLog, /ERROR: {2}duplicate key/);
	assert.ok(deadlockRecord.length >= 4, `the real record: ${JSON.stringify(deadlockRecord)}`);
	const inRecords = new Set([...deadlockRecord, ...uniqueRecord].flat());
	const others = realLog.filter(l => !inRecords.has(l) && !l.startsWith('\t'));
	assert.ok(others.length > 20, 'debug lines of other backends');
	// Deadlock ERROR, the unique violation's ERROR, a debug line, its DETAIL, the deadlock's DETAIL, …: every unit between others.
	const mixed: string[] = [];
	const units = [deadlockRecord[0]!, uniqueRecord[0]!, ...deadlockRecord.slice(1).flatMap((u, i) => [u, ...(uniqueRecord[i + 1] ? [uniqueRecord[i + 1]!] : [])])];
	units.forEach((unit, i) => mixed.push(...unit, others[i]!, others[i + units.length]!));

	const outcome = await readPg('mixed.log', mixed);
	assert.equal(byClass(outcome.rows, 'deadlock')?.count, 1);
	assert.equal(byClass(outcome.rows, 'unclassified')?.count, 1, 'the unique violation, counted once');
	const pidOf = (line: string) => /\[(\d+)\]/.exec(line)![1];
	assert.match(String(byClass(outcome.rows, 'deadlock')!.sample), new RegExp(`\\[${pidOf(deadlockRecord[0]![0]!)}\\] ERROR:  deadlock detected DETAIL: Process \\d+ waits for ShareLock`));
	assert.match(String(byClass(outcome.rows, 'unclassified')!.sample), /duplicate key value violates unique constraint "k_pkey" DETAIL: Key \(id\)=\(1\) already exists\.$/);
	// The same counts as the log written in order.
	assert.deepEqual(counts(outcome.rows), counts((await readPg('ordered.log', realLog)).rows));
});

/** Docker's json-file driver: one object per line, a line over 16 kB in pieces of which only the last ends in \n. */
function dockerJson(lines: string[], time: Date): string {
	const piece = 16 * 1024;
	return lines
		.flatMap(line => {
			const text = `${line}\n`;
			const parts: string[] = [];
			for (let at = 0; at < text.length; at += piece) parts.push(text.slice(at, at + piece));
			return parts.map(log => JSON.stringify({log, stream: 'stderr', time: time.toISOString().replace('Z', '123456Z')}));
		})
		.join('\n')
		.concat('\n');
}

test('the PostgreSQL log in Docker’s json-file format is read inside its envelope, long lines in pieces too', async () => {
	const long = `${realLog.find(l => l.includes('ERROR:  duplicate key'))!} ${'x'.repeat(100_000)}`;
	const lines = [...realLog, long];
	const plain = await readPg('plain.log', lines);
	const docker = await runLogStep(postgresLogStep, {pgLog: await tmp.write('abc-json.log', dockerJson(lines, now)), tailBytes: 64 << 20, now, sinceMinutes: 60});
	assert.deepEqual(counts(docker.rows), counts(plain.rows));
	assert.equal(byClass(docker.rows, 'unclassified')?.count, 2);
	assert.equal(byClass(docker.rows, 'deadlock')?.count, 1);
	assert.match(docker.notices?.[0]?.message ?? '', /abc-json\.log \(a Docker json-file log, read inside its envelope\), lines of the last 1 h/);
	assert.match(docker.notices?.find(n => n.id === 'log-bad-input')?.message ?? '', /1 over-long lines cut/);
});

test('the denokv log in Docker’s json-file format: each failing request once, timed by Docker', async () => {
	const at = new Date(now.getTime() - 120_000);
	const lines = [
		`[${at.toISOString()} ERROR denokv] atomic_write failed: Database error: db error: ERROR: deadlock detected`,
		`[${at.toISOString()} ERROR denokv] Database error: Database error: db error: ERROR: deadlock detected`,
		// Without a timestamp of its own: Docker's says when.
		'ERROR Database error: db error: FATAL: sorry, too many clients already',
	];
	const outcome = await runLogStep(serverLogStep, {serverLog: await tmp.write('denokv-json.log', dockerJson(lines, at)), tailBytes: 64 << 20, now, sinceMinutes: 60});
	assert.deepEqual(counts(outcome.rows), {deadlock: 1, 'too-many-clients': 1});
	assert.equal(byClass(outcome.rows, 'too-many-clients')?.last_seen, at.toISOString());
	assert.match(outcome.notices?.[0]?.message ?? '', /Docker json-file/);
});

test('the two lines of failing requests pair however other requests’ and debug lines come between them', async () => {
	const t = new Date(now.getTime() - 60_000).toISOString();
	const debug = (i: number) => `[${t} DEBUG tokio_postgres::query] executing statement s${i} with parameters: [..]`;
	const a = (what: string) => `[${t} ERROR denokv] atomic_write failed: Database error: db error: ERROR: ${what}`;
	const d = (what: string) => `[${t} ERROR denokv::postgres] Database error: Database error: db error: ERROR: ${what}`;
	const lines = [
		// Two concurrent failing requests: both first lines, then both second lines.
		a('deadlock detected'),
		debug(1),
		a('deadlock detected'),
		d('deadlock detected'),
		debug(2),
		d('deadlock detected'),
		// One failing request whose two lines have ten debug lines between them.
		a('canceling statement due to statement timeout'),
		...Array.from({length: 10}, (_, i) => debug(i + 3)),
		d('canceling statement due to statement timeout'),
	];
	const outcome = await runLogStep(serverLogStep, {serverLog: await tmp.write('pairs.log', `${lines.join('\n')}\n`), tailBytes: 64 << 20, now});
	assert.deepEqual(counts(outcome.rows), {deadlock: 2, 'statement-timeout': 1});
});
