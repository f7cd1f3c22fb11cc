import {after, before, test} from 'node:test';
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {appendFile, copyFile, rename, truncate, writeFile} from 'node:fs/promises';
import {LogFollower} from '../../source/logs/follow.ts';
import {LogFileError} from '../../source/logs/log-file-error.ts';
import {tempDir, type TempDir} from './helpers.ts';

/* The follower behind `pg500 watch --server-log`, on real files: appended
 * lines, both kinds of rotation, a line written in two pieces, the sliding
 * window. The clock is the test's, so the window moves when the test says. */

let tmp: TempDir;
before(async () => {
	tmp = await tempDir();
});
after(() => tmp.remove());

const start = new Date('2026-11-26T12:00:00Z');

function clock() {
	let now = start.getTime();
	return {now: () => new Date(now), advance: (seconds: number) => (now += seconds * 1000)};
}

/** One failing request: the two lines the server logs for it. */
const failure = (at: Date, what = 'deadlock detected') =>
	`[${at.toISOString()} ERROR denokv] atomic_write failed: Database error: db error: ERROR: ${what}\n` +
	`[${at.toISOString()} ERROR denokv::postgres] Database error: Database error: db error: ERROR: ${what}\n`;
const served = (at: Date) => `[${at.toISOString()} INFO  denokv] POST /v2/atomic_write 200 OK 3ms\n`;

test('the window is filled from the lines already there, then what is appended counts as it arrives', async () => {
	const c = clock();
	const ago = (s: number) => new Date(start.getTime() - s * 1000);
	// Two failures inside the last minute, one before it, and traffic that is not counted.
	const file = await tmp.write('grow.log', [failure(ago(300)), served(ago(50)), failure(ago(40)), failure(ago(5)), served(ago(1))].join(''));
	const follower = await LogFollower.open(file, {now: c.now});
	try {
		assert.equal(follower.errorsPerMinute(), 2);
		await appendFile(file, failure(start) + served(start) + failure(start));
		await follower.poll();
		assert.equal(follower.counted, 2);
		assert.equal(follower.errorsPerMinute(), 4);
		// Nothing new: a poll changes nothing.
		await follower.poll();
		assert.equal(follower.counted, 2);
		// 45 s later the two backfilled failures (40 s and 5 s before the start) have left the window.
		c.advance(45);
		assert.equal(follower.errorsPerMinute(), 3);
		c.advance(20);
		assert.equal(follower.errorsPerMinute(), 0);
	} finally {
		await follower.close();
	}
});

test('a line written in two pieces counts once, when it is whole', async () => {
	const c = clock();
	const file = await tmp.write('pieces.log', '');
	const follower = await LogFollower.open(file, {now: c.now});
	try {
		const line = failure(start).split('\n')[0]!;
		await appendFile(file, line.slice(0, 30));
		await follower.poll();
		assert.equal(follower.counted, 0);
		await appendFile(file, `${line.slice(30)}\n`);
		await follower.poll();
		assert.equal(follower.counted, 1);
	} finally {
		await follower.close();
	}
});

test('rename and create: what the writer still put in the old file, then the new file from its start', async () => {
	const c = clock();
	const file = await tmp.write('renamed.log', failure(new Date(start.getTime() - 3600_000)));
	const follower = await LogFollower.open(file, {now: c.now});
	try {
		assert.equal(follower.errorsPerMinute(), 0, 'an hour-old failure is outside the window');
		await appendFile(file, failure(start));
		await rename(file, `${file}.1`);
		// The writer has not reopened yet: one more failure lands in the renamed file.
		await appendFile(`${file}.1`, failure(start));
		await writeFile(file, failure(start) + failure(start));
		await follower.poll();
		assert.equal(follower.rotations, 1);
		assert.equal(follower.counted, 4);
		// The new file is followed from here on.
		await appendFile(file, failure(start));
		await follower.poll();
		assert.equal(follower.counted, 5);
		assert.equal(follower.errorsPerMinute(), 5);
	} finally {
		await follower.close();
	}
});

test('copytruncate: the file cut back to nothing is read again from its start', async () => {
	const c = clock();
	const file = await tmp.write('copied.log', served(start).repeat(20));
	const follower = await LogFollower.open(file, {now: c.now});
	try {
		await copyFile(file, `${file}.1`);
		await truncate(file, 0);
		await appendFile(file, failure(start));
		await follower.poll();
		assert.equal(follower.counted, 1);
		assert.equal(follower.rotations, 1);

		// Cut back again and written past the old read position before the next poll: still noticed.
		await appendFile(file, served(start));
		await follower.poll();
		await truncate(file, 0);
		await appendFile(file, failure(start, 'canceling statement due to statement timeout').repeat(3));
		await follower.poll();
		assert.equal(follower.rotations, 2);
		assert.equal(follower.counted, 4);
	} finally {
		await follower.close();
	}
});

test('a real writer: a child process appends failures while the follower polls, and its rotation is survived', async () => {
	const file = await tmp.write('child.log', '');
	const follower = await LogFollower.open(file);
	// Writes 10 failures, renames the file and reopens a new one (as a server on SIGHUP would), then 10 more.
	const script = `
		const fs = require('node:fs');
		const line = () => '[' + new Date().toISOString() + ' ERROR denokv] atomic_write failed: Database error: db error: ERROR: deadlock detected\\n'
			+ '[' + new Date().toISOString() + ' ERROR denokv] Database error: Database error: db error: ERROR: deadlock detected\\n';
		let fd = fs.openSync(${JSON.stringify(file)}, 'a');
		let n = 0;
		const timer = setInterval(() => {
			fs.writeSync(fd, line());
			if (++n === 10) { fs.renameSync(${JSON.stringify(file)}, ${JSON.stringify(`${file}.1`)}); fs.closeSync(fd); fd = fs.openSync(${JSON.stringify(file)}, 'a'); }
			if (n === 20) { clearInterval(timer); fs.closeSync(fd); }
		}, 15);`;
	const child = spawn(process.execPath, ['-e', script], {stdio: 'inherit'});
	const exited = new Promise(resolve => child.once('exit', resolve));
	try {
		let done = false;
		void exited.then(() => (done = true));
		while (!done) {
			await follower.poll();
			await new Promise(resolve => setTimeout(resolve, 10));
		}
		await follower.poll();
		assert.equal(follower.counted, 20);
		assert.equal(follower.rotations, 1);
		assert.equal(follower.errorsPerMinute(), 20);
	} finally {
		child.kill();
		await follower.close();
	}
});

test('Docker json-file lines are followed inside their envelope', async () => {
	const c = clock();
	const file = await tmp.write('docker.log', '');
	const follower = await LogFollower.open(file, {now: c.now});
	try {
		const wrap = (text: string) => `${failure(start).split('\n').filter(Boolean).map(l => JSON.stringify({log: `${l}\n`, stream: 'stderr', time: start.toISOString()})).join('\n')}\n${text}`;
		await appendFile(file, wrap(''));
		await follower.poll();
		assert.equal(follower.counted, 1);
	} finally {
		await follower.close();
	}
});

test('a missing file is a LogFileError naming it', async () => {
	await assert.rejects(LogFollower.open(`${tmp.dir}/none.log`), (error: unknown) => error instanceof LogFileError && /none\.log: no such file/.test(error.message));
});
