import {after, before, test} from 'node:test';
import assert from 'node:assert/strict';
import {readFile} from 'node:fs/promises';
import {parseLogSince} from '../../source/commands/options.ts';
import {runLogStep} from '../../source/logs/run-log-step.ts';
import {cli, type JsonReport} from '../run/helpers.ts';
import {byClass, serverLogStep, tempDir, type TempDir} from './helpers.ts';

/* Log figures that tell the truth about a short incident: the rate over the
 * minutes the errors span and over the last five, the newest line as the
 * example, a chart in seconds, and the window read (the last hour unless
 * --log-since says otherwise). */

let tmp: TempDir;
before(async () => {
	tmp = await tempDir();
});
after(() => tmp.remove());

const now = new Date('2026-11-26T12:00:00Z');
const at = (secondsAgo: number) => new Date(now.getTime() - secondsAgo * 1000).toISOString();
const failure = (secondsAgo: number, n: number) => [
	`[${at(secondsAgo)} ERROR denokv] atomic_write failed: Database error: db error: ERROR: deadlock detected (#${n})`,
	`[${at(secondsAgo)} ERROR denokv::postgres] Database error: Database error: db error: ERROR: deadlock detected (#${n})`,
];

/** 40 minutes of quiet traffic, then 30 failing requests over the last 7 minutes, the last one now. */
function incident(): string {
	const lines: string[] = [];
	for (let s = 47 * 60; s > 7 * 60; s -= 30) lines.push(`[${at(s)} INFO  denokv] POST /v2/atomic_write 200 OK 3ms`);
	for (let n = 0; n < 30; n++) lines.push(...failure(7 * 60 - (n * 7 * 60) / 29, n));
	return `${lines.join('\n')}\n`;
}

test('30 failures in the last 7 minutes: 4.3/min, the newest as the example, a chart in 5-second buckets', async () => {
	const outcome = await runLogStep(serverLogStep, {serverLog: await tmp.write('incident.log', incident()), tailBytes: 64 << 20, sinceMinutes: 60, now});
	const row = byClass(outcome.rows, 'deadlock')!;
	assert.equal(row.count, 30);
	// Over the 7 minutes from the first failure to the last, not over the hour read (0.5/min).
	assert.equal(row.per_minute, 4.3);
	// The last five minutes hold 21 of them.
	assert.equal(row.per_minute_last_5m, 4.2);
	assert.match(String(row.example), /\(#29\)$/);
	assert.match(String(row.sample), /\(#27\) ⏎ .*\(#28\) ⏎ .*\(#29\)$/);
	const h = outcome.histogram!;
	assert.equal(h.bucketSeconds, 5);
	assert.equal(h.counts.reduce((a, b) => a + b, 0), 30);
	// From a little before the first failure (12:00 − 7 min − 105 s) to now.
	assert.equal(h.start, '2026-11-26T11:51:15.000Z');
	assert.equal(h.counts.length, 106);
	assert.equal(h.counts.slice(0, 20).reduce((a, b) => a + b, 0), 0, 'the quiet time before it began');
});

test('one or two lines draw no chart; the rate of one line is one a minute', async () => {
	const outcome = await runLogStep(serverLogStep, {serverLog: await tmp.write('two.log', `${[...failure(600, 1), ...failure(30, 2)].join('\n')}\n`), tailBytes: 64 << 20, sinceMinutes: 60, now});
	assert.equal(outcome.histogram, undefined);
	const row = byClass(outcome.rows, 'deadlock')!;
	assert.equal(row.per_minute, 0.21);
	assert.equal(row.per_minute_last_5m, 0.2);
	const one = await runLogStep(serverLogStep, {serverLog: await tmp.write('one.log', `${failure(30, 1).join('\n')}\n`), tailBytes: 64 << 20, sinceMinutes: 60, now});
	assert.equal(byClass(one.rows, 'deadlock')!.per_minute, 1);
});

test('--log-since: durations, all, and one clear line for anything else', () => {
	assert.equal(parseLogSince('90s'), 1.5);
	assert.equal(parseLogSince('30m'), 30);
	assert.equal(parseLogSince('30'), 30);
	assert.equal(parseLogSince('2h'), 120);
	assert.equal(parseLogSince('1d'), 1440);
	assert.equal(parseLogSince('all'), Number.POSITIVE_INFINITY);
	assert.throws(() => parseLogSince('yesterday'), {message: '--log-since takes a duration such as 30m, 2h or 90s, or all, got "yesterday"'});
	assert.throws(() => parseLogSince('0m'), /--log-since takes a duration/);
});

test('pg500 run reads the last hour by default, says so, and --log-since all reads every line', async () => {
	const real = new Date();
	const line = (minutesAgo: number) => `[${new Date(real.getTime() - minutesAgo * 60_000).toISOString()} ERROR denokv] Database error: db error: ERROR: deadlock detected`;
	const log = await tmp.write('day.log', `${[line(300), line(200), line(20), line(5)].join('\n')}\n`);
	const serverLogs = async (...extra: string[]) => {
		const output = `${tmp.dir}/report-${extra.length}.json`;
		// Nothing listens on port 1: the run ends critical (exit 2), after the server log was read.
		const result = await cli(['run', '--url', 'postgres://pg500@127.0.0.1:1/none', '--server-log', log, '--format', 'json', '--output', output, ...extra]);
		assert.equal(result.code, 2, result.stderr);
		return (JSON.parse(await readFile(output, 'utf8')) as JsonReport & {steps: {notices?: unknown; findings: {message: string}[]}[]}).steps.find(s => s.id === 'server-logs')!;
	};
	const hour = await serverLogs();
	assert.equal(hour.rows[0]?.count, 2);
	assert.ok(hour.findings.some(f => /^Read .*\/day\.log, lines of the last 1 h \(since \d\d:\d\d UTC; --log-since changes it\): 4 lines, 2 in the window, 2 counted$/.test(f.message)), JSON.stringify(hour.findings));
	const all = await serverLogs('--log-since', 'all');
	assert.equal(all.rows[0]?.count, 4);
	assert.ok(all.findings.some(f => /\/day\.log, every line \(.* to .*; --log-since narrows it\): 4 lines, 4 counted$/.test(f.message)), JSON.stringify(all.findings));
	const bad = await cli(['run', '--url', 'postgres://pg500@127.0.0.1:1/none', '--log-since', 'soon']);
	assert.equal(bad.code, 3);
	assert.match(bad.stderr, /--log-since takes a duration such as 30m, 2h or 90s, or all, got "soon"/);
});
