import {after, before, test} from 'node:test';
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {Readable} from 'node:stream';
import {gzipSync} from 'node:zlib';
import {runLogStep} from '../../source/logs/run-log-step.ts';
import {counts, serverLogStep, tempDir, type TempDir} from './helpers.ts';

let tmp: TempDir;
before(async () => {
	tmp = await tempDir();
});
after(() => tmp.remove());

const now = new Date('2026-11-26T12:00:00Z');
const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000).toISOString();

/** One hour of log, 11:01–12:00: a deadlock each minute up to 11:30, then a statement timeout each minute. */
function hourOfLog(): string {
	const lines: string[] = [];
	for (let ago = 59; ago >= 0; ago--) {
		lines.push(`[${at(ago)} INFO  denokv] ${'request served '.repeat(4)}`);
		const what = ago >= 30 ? 'deadlock detected' : 'canceling statement due to statement timeout';
		lines.push(`[${at(ago)} ERROR denokv] atomic_write failed: Database error: db error: ERROR: ${what}`);
		lines.push(`[${at(ago)} ERROR denokv] Database error: Database error: db error: ERROR: ${what}`);
	}
	return `${lines.join('\n')}\n`;
}

test('the whole hour, then only the tail bytes: older lines are not read, the cut line is dropped', async () => {
	const text = hourOfLog();
	const file = await tmp.write('hour.log', text);
	const whole = await runLogStep(serverLogStep, {serverLog: file, tailBytes: 64 << 20, now});
	assert.deepEqual(counts(whole.rows), {deadlock: 30, 'statement-timeout': 30});
	// 11:01–12:00 in 30-second buckets.
	assert.equal(whole.histogram?.bucketSeconds, 30);
	assert.equal(whole.histogram?.counts.length, 119);

	// The last 10 minutes are 30 lines; start the window a few bytes into the 31st from the end, mid-line.
	const lines = text.trimEnd().split('\n');
	const last30 = `${lines.slice(-30).join('\n')}\n`;
	const tail = await runLogStep(serverLogStep, {serverLog: file, tailBytes: Buffer.byteLength(last30) + 5, now});
	assert.deepEqual(counts(tail.rows), {'statement-timeout': 10});
	assert.match(tail.notices?.[0]?.message ?? '', /^Read the last .* of .*hour\.log, every line \(11:51 UTC to 12:00 UTC; --log-since narrows it\): 30 lines, 10 counted$/);
});

test('--log-since keeps the last T minutes, and says so; rates are over the minutes each class spans and the last five', async () => {
	const file = await tmp.write('since.log', hourOfLog());
	const outcome = await runLogStep(serverLogStep, {serverLog: file, tailBytes: 64 << 20, sinceMinutes: 40, now});
	// 40 minutes back is 11:20: deadlocks at 11:20–11:30, timeouts at 11:31–12:00.
	assert.deepEqual(counts(outcome.rows), {'statement-timeout': 30, deadlock: 11});
	assert.equal(outcome.notices?.[0]?.message, `Read 20.3 kB of ${file}, lines of the last 40 min (since 11:20 UTC; --log-since changes it): 180 lines, 123 in the window, 41 counted`);
	assert.equal(outcome.histogram?.start, at(40));
	assert.equal(outcome.histogram?.bucketSeconds, 30);
	assert.equal(outcome.histogram?.counts.length, 81);
	assert.equal(outcome.histogram?.counts.reduce((a, b) => a + b, 0), 41);
	const deadlock = outcome.rows.find(r => r.class === 'deadlock')!;
	const timeout = outcome.rows.find(r => r.class === 'statement-timeout')!;
	// 11 deadlocks over the 10 minutes they span; none in the last five minutes.
	assert.deepEqual([deadlock.per_minute, deadlock.per_minute_last_5m], [1.1, 0]);
	// 30 timeouts over 29 minutes; 11:55–12:00 holds six.
	assert.deepEqual([timeout.per_minute, timeout.per_minute_last_5m], [1, 1.2]);
});

test('a long window is folded into at most 120 buckets', async () => {
	const lines = Array.from({length: 600}, (_, i) => `[${at(600 - i)} ERROR denokv] Database error: db error: ERROR: deadlock detected`);
	const outcome = await runLogStep(serverLogStep, {serverLog: await tmp.write('long.log', `${lines.join('\n')}\n`), tailBytes: 64 << 20, now});
	assert.ok(outcome.histogram!.counts.length <= 120);
	// 600 minutes in buckets of 5.
	assert.equal(outcome.histogram!.bucketSeconds, 300);
	assert.equal(outcome.histogram!.counts.length, 120);
	assert.equal(outcome.histogram!.counts.reduce((a, b) => a + b, 0), 600);
});

test('--log-since on a log without timestamps reads everything and says so', async () => {
	const file = await tmp.write('plain.log', 'Database error: db error: ERROR: deadlock detected\n');
	const outcome = await runLogStep(serverLogStep, {serverLog: file, tailBytes: 1 << 20, sinceMinutes: 5, now});
	assert.deepEqual(counts(outcome.rows), {deadlock: 1});
	assert.match(outcome.notices?.[0]?.message ?? '', /--log-since could not apply/);
});

test('a gzip rotation is read through zlib, and its tail window applies to the uncompressed text', async () => {
	const file = await tmp.write('denokv.log.1.gz', gzipSync(hourOfLog()));
	assert.deepEqual(counts((await runLogStep(serverLogStep, {serverLog: file, tailBytes: 64 << 20, now})).rows), {
		deadlock: 30,
		'statement-timeout': 30,
	});
	const tail = await runLogStep(serverLogStep, {serverLog: file, tailBytes: 2000, now});
	assert.deepEqual(Object.keys(counts(tail.rows)), ['statement-timeout']);
	assert.match(tail.notices?.[0]?.message ?? '', /^Read the last 2\.0 kB of /);
});

test('standard input (-): a stream, plain or gzipped, kept in a bounded ring', async () => {
	const text = hourOfLog();
	const chunks = (data: Buffer) => Readable.from(Array.from({length: Math.ceil(data.length / 997)}, (_, i) => data.subarray(i * 997, (i + 1) * 997)));
	const plain = await runLogStep(serverLogStep, {serverLog: '-', stdin: chunks(Buffer.from(text)), tailBytes: 64 << 20, now});
	assert.deepEqual(counts(plain.rows), {deadlock: 30, 'statement-timeout': 30});
	assert.match(plain.notices?.[0]?.message ?? '', /of standard input, every line .*: 180 lines/);
	const ring = await runLogStep(serverLogStep, {serverLog: '-', stdin: chunks(Buffer.from(text)), tailBytes: 3000, now});
	assert.deepEqual(Object.keys(counts(ring.rows)), ['statement-timeout']);
	const zipped = await runLogStep(serverLogStep, {serverLog: '-', stdin: chunks(gzipSync(text)), tailBytes: 64 << 20, now});
	assert.deepEqual(counts(zipped.rows), {deadlock: 30, 'statement-timeout': 30});
});

test('standard input of a real child process', async () => {
	const child = spawn(process.execPath, ['-e', `process.stdout.write(${JSON.stringify(hourOfLog())})`], {stdio: ['ignore', 'pipe', 'inherit']});
	const outcome = await runLogStep(serverLogStep, {serverLog: '-', stdin: child.stdout, tailBytes: 64 << 20, now});
	assert.deepEqual(counts(outcome.rows), {deadlock: 30, 'statement-timeout': 30});
});
