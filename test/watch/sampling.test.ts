import {test} from 'node:test';
import assert from 'node:assert/strict';
import {SampleDeltas, rateWindowSeconds} from '../../source/watch/deltas.ts';
import type {WatchReading} from '../../source/watch/reading.ts';
import type {SampleResult} from '../../source/watch/sampler.ts';
import {watchLoop, type LoopFace} from '../../source/watch/watch-loop.ts';

/* From readings to samples (changes and rates, pg500's own rollbacks out),
 * and the watch's cadence: the baseline, the count, a stop, a lost target. */

function reading(seconds: number, counters: Partial<WatchReading> = {}): WatchReading {
	return {
		slots_used: 12,
		slots_usable: 97,
		idle_in_tx: 1,
		idle_in_tx_long: 0,
		oldest_idle_in_tx_s: 0,
		lock_waiters: 0,
		oldest_lock_wait_s: 0,
		deadlocks_total: 7,
		commits_total: 1000,
		rollbacks_total: 50,
		server_time: 1_700_000_000 + seconds,
		counters_since: 'started 1',
		ownTransactions: 0,
		...counters,
	};
}

test('the first reading is a baseline: levels, no rates; then deadlocks since the previous sample and rates per second', () => {
	const deltas = new SampleDeltas();
	const first = deltas.next(reading(0), 'a', null);
	assert.deepEqual([first.deadlocks, first.commits_per_s, first.rollbacks_per_s, first.idle_in_tx], [null, null, null, 1]);
	const second = deltas.next(reading(2, {deadlocks_total: 9, commits_total: 1400, rollbacks_total: 54}), 'b', 4.3);
	assert.deepEqual([second.deadlocks, second.commits_per_s, second.rollbacks_per_s, second.server_log_errors_per_min], [2, 200, 2, 4.3]);
	const third = deltas.next(reading(4, {deadlocks_total: 9, commits_total: 1800, rollbacks_total: 54}), 'c', null);
	assert.equal(third.deadlocks, 0, 'new deadlocks only');
});

test("pg500's own transactions (each a rollback on the server) are not the application's rollbacks", () => {
	const deltas = new SampleDeltas();
	deltas.next(reading(0, {ownTransactions: 1}), 'a', null);
	// One sample of pg500's and two checks ran: three rollbacks, all of them pg500's.
	const quiet = deltas.next(reading(2, {rollbacks_total: 53, ownTransactions: 4}), 'b', null);
	assert.equal(quiet.rollbacks_per_s, 0);
	const real = deltas.next(reading(4, {rollbacks_total: 60, ownTransactions: 5}), 'c', null);
	assert.ok(real.rollbacks_per_s! > 0);
});

test(`rates are over ${rateWindowSeconds} s at the least: a backend reporting once a second does not make them jump`, () => {
	const deltas = new SampleDeltas();
	// A steady 100 commits a second, counted in lumps as backends flush: 0 in one half second, 100 in the next.
	const lumps = [0, 100, 100, 200, 200, 300, 300, 400, 400, 500, 500, 600, 600, 700];
	const rates = lumps.map((commits, i) => deltas.next(reading(i / 2, {commits_total: 1000 + commits}), String(i), null).commits_per_s);
	assert.equal(rates[0], null);
	for (const rate of rates.slice(rateWindowSeconds * 2)) assert.ok(rate! >= 90 && rate! <= 110, String(rate));
});

test('a restart or a statistics reset starts again from a baseline, never a negative rate', () => {
	const deltas = new SampleDeltas();
	deltas.next(reading(0), 'a', null);
	const restarted = deltas.next(reading(2, {counters_since: 'started 2', commits_total: 10, rollbacks_total: 0, deadlocks_total: 0}), 'b', null);
	assert.deepEqual([restarted.deadlocks, restarted.commits_per_s, restarted.rollbacks_per_s], [null, null, null]);
	const after = deltas.next(reading(4, {counters_since: 'started 2', commits_total: 210, rollbacks_total: 0, deadlocks_total: 1}), 'c', null);
	assert.deepEqual([after.deadlocks, after.commits_per_s], [1, 100]);
});

/** A sampler that plays `results` in order, then samples for ever. */
function scripted(results: SampleResult[]) {
	let n = 0;
	return {
		calls: () => n,
		sample: async (): Promise<SampleResult> => {
			const next = results[n++];
			return next ?? {kind: 'sample', sample: {at: String(n)} as never, baseline: false};
		},
	};
}

function recording(): LoopFace & {samples: string[]; problems: string[]; firsts: boolean[]} {
	const face = {
		samples: [] as string[],
		problems: [] as string[],
		firsts: [] as boolean[],
		async sample(result: Extract<SampleResult, {kind: 'sample'}>, first: boolean) {
			face.samples.push(result.sample.at);
			face.firsts.push(first);
			return 'go' as const;
		},
		problem(result: Extract<SampleResult, {kind: 'problem'}>) {
			face.problems.push(result.message);
		},
	};
	return face;
}

const never = new Promise<void>(() => {});

test('--count N: the baseline, then N samples; a failed sample counts as a tick and is said', async () => {
	const sampler = scripted([{kind: 'sample', sample: {at: 'base'} as never, baseline: true}, {kind: 'problem', message: 'no sample: timeout'}]);
	const face = recording();
	assert.equal(await watchLoop({sampler, intervalMs: 1, count: 3, face, stopped: never}), 0);
	assert.equal(sampler.calls(), 4);
	assert.deepEqual(face.firsts, [true, false, false]);
	assert.deepEqual(face.problems, ['no sample: timeout']);
});

test('a baseline that could not be read is tried again at the next tick, and only then does the count start', async () => {
	const sampler = scripted([{kind: 'problem', message: 'no sample: timeout'}]);
	const face = recording();
	assert.equal(await watchLoop({sampler, intervalMs: 1, count: 2, face, stopped: never}), 0);
	assert.deepEqual(face.firsts, [true, false, false]);
});

test('unreachable at the first sample, or gone later: exit 2', async () => {
	const face = recording();
	assert.equal(await watchLoop({sampler: scripted([{kind: 'problem', message: 'cannot reach', ends: 'unreachable'}]), intervalMs: 1, face, stopped: never}), 2);
	const gone = scripted([{kind: 'sample', sample: {at: 'base'} as never, baseline: true}, {kind: 'problem', message: 'dropped', dropped: true}, {kind: 'problem', message: 'gone', ends: 'gone'}]);
	assert.equal(await watchLoop({sampler: gone, intervalMs: 1, face, stopped: never}), 2);
	assert.deepEqual(face.problems, ['cannot reach', 'dropped', 'gone']);
});

test('a stop (Ctrl-C) ends the watch at once with 0, even while a sample is being read', async () => {
	let stop!: () => void;
	const stopped = new Promise<void>(resolve => (stop = resolve));
	const hanging = {sample: () => new Promise<SampleResult>(() => {})};
	const ended = watchLoop({sampler: hanging, intervalMs: 1000, face: recording(), stopped});
	stop();
	assert.equal(await ended, 0);
	// Between two samples too.
	let stop2!: () => void;
	const stopped2 = new Promise<void>(resolve => (stop2 = resolve));
	const face = recording();
	const waiting = watchLoop({sampler: scripted([]), intervalMs: 60_000, face, stopped: stopped2});
	await new Promise(resolve => setTimeout(resolve, 20));
	stop2();
	assert.equal(await waiting, 0);
	assert.equal(face.samples.length, 1);
});
