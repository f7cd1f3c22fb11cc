import type {WatchSampler, SampleResult} from './sampler.ts';

/* `pg500 watch`'s cadence: a first reading at once (the baseline the
 * changes are counted from), then a sample every interval on a fixed grid
 * of ticks (a slow sample does not make the next one late), until the count
 * is reached, the face stops it, or the target is gone. */

export interface LoopFace {
	/** A reading. Says 'stop' when there is no one left to show it to (standard output closed). */
	sample(result: Extract<SampleResult, {kind: 'sample'}>, first: boolean): Promise<'go' | 'stop'>;
	problem(result: Extract<SampleResult, {kind: 'problem'}>): void;
}

export interface LoopOptions {
	sampler: Pick<WatchSampler, 'sample'>;
	intervalMs: number;
	/** Samples after the first reading; undefined: until stopped. */
	count?: number;
	face: LoopFace;
	/** Settles when the operator stops the watch (Ctrl-C, q, a signal). */
	stopped: Promise<unknown>;
}

/** Exit status per the contract: 0 after the count or a stop, 2 when the target cannot be reached or is gone. */
export async function watchLoop({sampler, intervalMs, count, face, stopped}: LoopOptions): Promise<number> {
	const halt = stopped.then(() => 'stopped' as const);
	const start = performance.now();
	let tick = 0;
	let baseline = false;
	let taken = 0;
	for (;;) {
		const result = await Promise.race([sampler.sample(), halt]);
		if (result === 'stopped') return 0;
		// The first reading is only the baseline the changes are counted from: the count is of the ticks after it.
		const counted = baseline;
		if (result.kind === 'problem') {
			face.problem(result);
			if (result.ends) return 2;
		} else {
			baseline = true;
			if ((await face.sample(result, !counted)) === 'stop') return 0;
		}
		if (counted && count !== undefined && ++taken >= count) return 0;
		// The next tick on the grid; ticks a slow sample overran are skipped, not crowded in.
		tick = Math.max(tick + 1, Math.ceil((performance.now() - start) / intervalMs));
		let timer: NodeJS.Timeout | undefined;
		const slept = new Promise(resolve => (timer = setTimeout(resolve, Math.max(0, start + tick * intervalMs - performance.now()))));
		const woke = await Promise.race([slept, halt]);
		clearTimeout(timer);
		if (woke === 'stopped') return 0;
	}
}
