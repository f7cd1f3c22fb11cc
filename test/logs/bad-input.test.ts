import {after, before, test} from 'node:test';
import assert from 'node:assert/strict';
import {chmod} from 'node:fs/promises';
import {LogFileError, runLogStep} from '../../source/logs/run-log-step.ts';
import {UsageError} from '../../source/errors.ts';
import {byClass, serverLogStep, tempDir, type TempDir} from './helpers.ts';

let tmp: TempDir;
before(async () => {
	tmp = await tempDir();
});
after(() => tmp.remove());

const read = (serverLog: string) => runLogStep(serverLogStep, {serverLog, tailBytes: 64 << 20, now: new Date('2026-11-26T11:00:00Z')});
const notice = (outcome: Awaited<ReturnType<typeof read>>, id: string) => outcome.notices?.find(n => n.id === id)?.message ?? '';

test('binary bytes, invalid UTF-8 and terminal escapes are counted, and reach the rows only escaped', async () => {
	const content = Buffer.concat([
		Buffer.from('2026-11-26T10:00:00Z ERROR atomic_write failed: db error: ERROR: deadlock detected \x1b]0;pwned\x07\x1b[2J\u202e\n'),
		Buffer.from([0x00, 0x01, 0xff, 0xfe, 0x0a]),
		Buffer.from('2026-11-26T10:01:00Z ERROR Database error: db error: ERROR: relation "kv_store" does not exist '),
		Buffer.from([0xc3, 0x28, 0x80, 0x0a]),
	]);
	const outcome = await read(await tmp.write('bad.log', content));
	const deadlock = String(byClass(outcome.rows, 'deadlock')!.sample);
	assert.ok(deadlock.endsWith('deadlock detected \\x1b]0;pwned\\x07\\x1b[2J\\u202e'), deadlock);
	assert.match(String(byClass(outcome.rows, 'missing-relation')!.sample), /does not exist \uFFFD\(\uFFFD$/);
	for (const row of outcome.rows) for (const value of Object.values(row)) assert.doesNotMatch(String(value), /[\u0000-\u001f\u007f-\u009f\u202e]/);
	assert.equal(notice(outcome, 'log-bad-input'), 'Odd input, shown escaped: 2 lines of invalid UTF-8, 1 lines with binary data');
	assert.match(notice(outcome, 'log-window'), /3 lines, 2 counted/);
});

test('a 100,000-character line is cut (bounded memory) and still classified; its sample stays short', async () => {
	const long = `2026-11-26T10:00:00Z ERROR atomic_write failed: db error: ERROR: deadlock detected ${'x'.repeat(100_000)}`;
	const outcome = await read(await tmp.write('long.log', `${long}\n${long}`));
	const row = byClass(outcome.rows, 'deadlock')!;
	assert.equal(row.count, 2);
	assert.ok(String(row.sample).length <= 2 * 300 + 3);
	assert.equal(notice(outcome, 'log-bad-input'), 'Odd input, shown escaped: 2 over-long lines cut');
});

test('an empty file: no rows, no histogram, a notice saying so', async () => {
	const outcome = await read(await tmp.write('empty.log', ''));
	assert.deepEqual(outcome.rows, []);
	assert.equal(outcome.histogram, undefined);
	assert.match(notice(outcome, 'log-window'), /empty\.log is empty/);
});

test('a missing file, a directory, an unreadable file: LogFileError naming the path (exit 3 as a UsageError)', async () => {
	const missing = `${tmp.dir}/nope.log`;
	await assert.rejects(read(missing), (error: unknown) => {
		assert.ok(error instanceof LogFileError && error instanceof UsageError);
		assert.equal(error.message, `cannot read the log file ${missing}: no such file`);
		assert.equal(error.exitCode, 3);
		return true;
	});
	await assert.rejects(read(tmp.dir), {name: 'LogFileError', message: `cannot read the log file ${tmp.dir}: it is a directory`});
	await assert.rejects(runLogStep(serverLogStep, {serverLog: missing, tailBytes: 1}), LogFileError);
});

test('a file the user may not read is a LogFileError naming the path', {skip: process.getuid?.() === 0 ? 'running as root, which reads every file' : false}, async () => {
	const locked = await tmp.write('locked.log', 'x\n');
	await chmod(locked, 0o000);
	await assert.rejects(read(locked), {name: 'LogFileError', message: `cannot read the log file ${locked}: permission denied`});
});

test('a broken gzip file is a LogFileError too, not a crash', async () => {
	const file = await tmp.write('broken.log.gz', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02, 0x03]));
	await assert.rejects(read(file), {name: 'LogFileError', message: /broken\.log\.gz: /});
});
