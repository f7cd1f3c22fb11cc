import {test} from 'node:test';
import assert from 'node:assert/strict';
import type {WatchSample, WatchSeries} from '../../source/engine/types.ts';
import {loadRunbook} from '../../source/runbook/load.ts';
import {gridFromLines} from '../../source/screen/cells.ts';
import {diffGrids, fullFrame} from '../../source/screen/cell-diff.ts';
import {glyphsFor} from '../../source/ui/glyphs.ts';
import {watchLines, type WatchViewInput} from '../../source/watch/view-lines.ts';

/* The live view as lines, from state, without a database: every figure
 * with its verdict, value and trend over a sparkline of one cell per
 * sample, coloured by the runbook's thresholds; and what a new sample costs
 * to draw at 80×24 once only the changed cells are sent. */

const thresholds = (await loadRunbook()).thresholds;
const start = Date.UTC(2026, 10, 29, 3, 0, 0);
const iso = (s: number) => new Date(start + s * 1000).toISOString();

function sample(i: number, figures: Partial<WatchSample> = {}): WatchSample {
	return {
		at: iso(i * 2),
		slots_used: 20,
		slots_usable: 97,
		idle_in_tx: 1,
		idle_in_tx_long: 0,
		oldest_idle_in_tx_s: 0,
		lock_waiters: 2,
		oldest_lock_wait_s: 0.1,
		deadlocks: 0,
		commits_per_s: 200,
		rollbacks_per_s: 0,
		server_log_errors_per_min: null,
		...figures,
	};
}

/** A leak growing by one session a sample, each a sample older. */
const leaking = (n: number) => Array.from({length: n}, (_, i) => sample(i, {idle_in_tx: 1 + i, idle_in_tx_long: Math.max(0, i - 4), oldest_idle_in_tx_s: 2 * i}));

function input(samples: WatchSample[], extra: Partial<WatchViewInput> = {}): WatchViewInput {
	const series: WatchSeries = {spans: [{startedAt: samples[0]?.at ?? iso(0), intervalSeconds: 2}], samples, moments: []};
	return {
		series,
		since: 0,
		thresholds,
		width: 80,
		height: 23,
		glyphs: glyphsFor({LANG: 'C.UTF-8'}),
		title: 'pg500 watch · oncall@db:5432/denokv',
		footer: 'w or Esc closes the watch',
		...extra,
	};
}

const text = (line: {segments: {text: string}[]}) => line.segments.map(s => s.text).join('');
const find = (lines: ReturnType<typeof watchLines>, key: string) => lines.find(l => l.key === key)!;

test('at 80×24: a headline and a full-width sparkline per figure, every line 80 cells, the frame one line short of the screen', () => {
	const lines = watchLines(input(leaking(30)));
	assert.equal(lines.length, 23);
	for (const line of lines) assert.equal([...text(line)].length, 80, `${line.key}: ${text(line)}`);
	const head = text(find(lines, 'idle_in_tx:head'));
	assert.match(head, /^✖ idle in transaction\s+30\s+↑ \+29 since 03:00:00 UTC\s*$/);
	assert.match(text(find(lines, 'oldest_idle_in_tx_s:head')), /oldest idle in transaction\s+58 s\s+↑ \+58 s since 03:00:00 UTC/);
	assert.match(text(find(lines, 'slots_used:head')), /^✔ client slots used\s+20\/97 \(21 %\)\s+→ 0 since/);
	// One cell per sample, oldest on the left; the bars climb with the leak.
	const spark = text(find(lines, 'idle_in_tx:spark'));
	assert.equal(spark.trimEnd().length, 30);
	assert.equal(spark[0], '▂', 'one leaked session: a step above none');
	assert.equal(spark[29], '█');
	assert.equal(lines.some(l => l.key.startsWith('server_log')), false, 'no log followed: no log figure');
	assert.equal(text(lines.at(-1)!).trim(), 'w or Esc closes the watch');
});

test("each cell is coloured by the runbook's verdict on its own sample; the headline by the newest", () => {
	const samples = [sample(0), sample(1, {oldest_lock_wait_s: 1.5, lock_waiters: 3}), sample(2, {oldest_lock_wait_s: 7, lock_waiters: 6}), sample(3)];
	const lines = watchLines(input(samples));
	const spark = find(lines, 'oldest_lock_wait_s:spark').segments;
	assert.deepEqual(
		spark.slice(0, 4).map(s => [s.text, s.color]),
		[
			['▂', undefined],
			['▃', 'yellow'],
			['█', 'red'],
			['▂', undefined],
		],
	);
	assert.equal(find(lines, 'oldest_lock_wait_s:head').segments[0]!.color, 'green');
	// Healthy bars stay low: a wait of 0.1 s (one step above none) against the 7 s peak on screen.
	assert.equal(text(find(lines, 'oldest_lock_wait_s:spark'))[3], '▂');
	assert.equal(text(find(lines, 'deadlocks:spark'))[0], '▁', 'none is the lowest bar');
});

test('a long watch shows its newest samples; the view closed in between leaves a gap; the trend is since this watch began', () => {
	const samples = leaking(120);
	const series: WatchSeries = {
		spans: [
			{startedAt: samples[0]!.at, intervalSeconds: 2, stoppedAt: samples[99]!.at},
			{startedAt: samples[100]!.at, intervalSeconds: 2},
		],
		samples,
		moments: [],
	};
	const lines = watchLines({...input(samples), series, since: 100});
	const spark = text(find(lines, 'idle_in_tx:spark'));
	assert.equal(spark.length, 80);
	assert.equal(spark[59], ' ', 'the gap before the second watch');
	assert.match(text(find(lines, 'idle_in_tx:head')), /↑ \+19 since 03:03:20 UTC/);
});

test('a short terminal: one line a figure, the sparkline beside it; ASCII without UTF-8', () => {
	const lines = watchLines(input(leaking(10), {height: 12, glyphs: glyphsFor({LANG: 'C'})}));
	assert.equal(lines.length, 12);
	assert.match(text(find(lines, 'idle_in_tx')), /^x  idle in transaction\s+10\s+[_.,\-~=+#]{10}/);
	assert.match(text(find(lines, 'commits_per_s')), /^ok commits/);
	assert.doesNotMatch(lines.map(text).join(''), /[^\x20-\x7e]/);
});

test('a problem shows under the figures, in its colour', () => {
	const lines = watchLines(input(leaking(3), {status: {text: '03:00:06 UTC the connection dropped', severity: 'warning'}}));
	const status = find(lines, 'status');
	assert.equal(text(status).trim(), '03:00:06 UTC the connection dropped');
	assert.equal(status.segments[0]!.color, 'yellow');
});

test('at 80×24 a new sample costs a few hundred bytes, not the whole screen; nothing changed costs nothing', () => {
	const frame = (n: number) => gridFromLines(watchLines(input(leaking(n))), 80, true);
	const whole = fullFrame(frame(40)).text;
	const cursor = {row: 22, col: 0};
	const next = diffGrids(frame(40), frame(41), cursor, cursor);
	assert.ok(Buffer.byteLength(next) < Buffer.byteLength(whole) / 3, `${Buffer.byteLength(next)} bytes of ${Buffer.byteLength(whole)}`);
	assert.equal(diffGrids(frame(41), frame(41), cursor, cursor), '');
});
