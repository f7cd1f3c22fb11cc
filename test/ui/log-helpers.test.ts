import {test} from 'node:test';
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {existsSync} from 'node:fs';
import {readFile, stat} from 'node:fs/promises';
import {captureCommand} from '../../source/checks/capture-command.ts';
import {commandLine, logCommands} from '../../source/ui/log-commands.ts';
import {shellWord} from '../../source/text/shell.ts';
import {bars, sparkline, squeeze, timeSpan} from '../../source/text/sparkline.ts';

/* The pure parts behind issue 6 and the sparkline, and the capture's limits. */

test('a command’s output: in a private temp file, removed on request', async () => {
	const capture = await captureCommand(`printf 'one\\n'; printf 'two\\n' >&2`, {timeoutMs: 10_000, maxBytes: 1024});
	try {
		assert.equal(capture.exitCode, 0);
		assert.equal(await readFile(capture.path, 'utf8'), 'one\ntwo\n', 'standard output and error, in order');
		assert.equal((await stat(capture.path)).mode & 0o777, 0o600);
		assert.equal(capture.lastLine, 'two');
	} finally {
		await capture.remove();
	}
	assert.ok(!existsSync(capture.path));
});

test('an endless command stops at the byte cap; a silent one at the time limit', async () => {
	const endless = await captureCommand('yes pg500', {timeoutMs: 60_000, maxBytes: 4096});
	try {
		assert.equal(endless.cut, true);
		assert.equal(endless.timedOut, false, 'the cap ended it, not the clock');
		assert.equal((await stat(endless.path)).size, 4096);
	} finally {
		await endless.remove();
	}
	const silent = await captureCommand('sleep 30', {timeoutMs: 200, maxBytes: 4096});
	try {
		assert.equal(silent.timedOut, true);
		assert.equal(silent.bytes, 0);
	} finally {
		await silent.remove();
	}
});

test('a failing command: its exit code and last line', async () => {
	const capture = await captureCommand('echo starting; echo "no such container: x" >&2; exit 1', {timeoutMs: 10_000, maxBytes: 1024});
	await capture.remove();
	assert.equal(capture.exitCode, 1);
	assert.equal(capture.lastLine, 'no such container: x');
});

test('what the operator types fills one shell word; a raw command stays as typed', () => {
	const docker = logCommands.find(c => c.id === 'docker')!;
	assert.equal(commandLine(docker, 'denokv-1'), 'docker logs --since 30m denokv-1');
	assert.equal(commandLine(docker, "x'; rm -rf / #"), `docker logs --since 30m 'x'\\''; rm -rf / #'`);
	assert.equal(commandLine(docker, '$&'), `docker logs --since 30m '$&'`, 'no replacement pattern leaks through');
	assert.equal(commandLine(logCommands.find(c => c.id === 'kubectl')!, 'deploy/denokv'), 'kubectl logs --since=30m deploy/denokv');
	assert.equal(commandLine(logCommands.find(c => c.id === 'journalctl')!, ''), 'journalctl -u denokv --since -30min --no-pager');
	assert.equal(commandLine(logCommands.find(c => c.id === 'other')!, ' ssh db1 cat /var/log/denokv.log '), 'ssh db1 cat /var/log/denokv.log');
	assert.equal(shellWord('a b'), `'a b'`);
});

test('sparkline: zero is the lowest bar, any line lifts it, the peak is the top', () => {
	assert.equal(bars([0, 1, 5, 10], true), '▁▂▅█');
	assert.equal(bars([0, 1, 5, 10], false), '_.-#');
	assert.equal(bars([0, 0], true), '▁▁');
	assert.deepEqual(squeeze([1, 2, 3, 4, 5], 2), {counts: [6, 9], per: 3});
});

test('sparkline: fits the width, names its span and its peak per bucket', () => {
	const histogram = {start: '2026-11-26T03:30:00.000Z', bucketSeconds: 60, counts: Array.from({length: 120}, (_, i) => (i === 100 ? 40 : i % 7))};
	const line = sparkline(histogram, 50, true);
	assert.ok([...line.bars].length + line.tail.length <= 50, `${line.bars}${line.tail}`);
	// 120 minutes in 12 bars of 10 minutes (5 would not leave room for the span): the spike at minute 100 is the tallest bar.
	assert.equal([...line.bars].length, 12);
	assert.equal([...line.bars].indexOf('█'), 10);
	assert.equal(line.tail, ' 03:30–05:30 UTC, peak 68/10 min');
	assert.equal(timeSpan({start: '2026-11-26T23:50:00.000Z', bucketSeconds: 60, counts: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]}, '-'), '2026-11-26 23:50-2026-11-27 00:05 UTC');
});

test('sparkline: a short incident in buckets of seconds shows seconds in its span and its peak', () => {
	// Seven minutes in 5-second buckets: 84 buckets, squeezed two to a bar in 80 columns.
	const histogram = {start: '2026-11-26T01:08:00.000Z', bucketSeconds: 5, counts: Array.from({length: 84}, (_, i) => (i < 12 ? 0 : i % 3))};
	const line = sparkline(histogram, 80, true);
	assert.equal(line.tail, ' 01:08:00–01:15:00 UTC, peak 3/10 s');
	assert.equal([...line.bars].length, 42);
	assert.ok([...line.bars].length + line.tail.length <= 80);
	assert.match(line.bars, /^▁{6}[^▁]/, 'the first minute, quiet, is the lowest bars');
	// In a narrow panel, minutes: the span without seconds.
	assert.deepEqual(sparkline(histogram, 40, true), {bars: '▁██████', tail: ' 01:08–01:15 UTC, peak 12/1 min'});
});

test('a grandchild that leaves the session (setsid … &) is killed at the limit too, and the capture ends there', {skip: !existsSync('/proc/self/environ') && 'needs /proc'}, async () => {
	const started = Date.now();
	// The background sleep keeps the output open: before, the capture waited the whole 90 s for it.
	// An odd duration, so that no other sleep on the machine (a shell's `sleep 90`) passes for it.
	const capture = await captureCommand('setsid sleep 90.417 & echo $! > /dev/null; echo started; sleep 0.3', {timeoutMs: 1500, maxBytes: 4096});
	const tookMs = Date.now() - started;
	try {
		assert.equal(capture.timedOut, true);
		assert.ok(tookMs < 30_000, `the capture ended at its limit, not when the grandchild did (${tookMs} ms)`);
		assert.equal(await readFile(capture.path, 'utf8'), 'started\n');
	} finally {
		await capture.remove();
	}
	// Killed, it may still be on its way out for a moment after its output closed.
	const alive = () => spawnSync('pgrep', ['-x', '-f', 'sleep 90.417'], {encoding: 'utf8'}).stdout.trim();
	for (let i = 0; i < 200 && alive() !== ''; i++) await new Promise(resolve => setTimeout(resolve, 25));
	assert.equal(alive(), '', 'the grandchild sleep did not survive');
});
