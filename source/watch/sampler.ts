import type {WatchSample} from '../engine/types.ts';
import {LogFollower} from '../logs/follow.ts';
import {SampleDeltas} from './deltas.ts';
import type {WatchRead} from './reading.ts';

/* One watch, sample after sample: the figures read on the safe session, the
 * counters turned into changes since the previous sample, and the denokv
 * server log followed as it grows. `pg500 watch` and the guided session's
 * `w` both sample through it; they decide when. */

export type SampleResult =
	/** `baseline`: the first reading (or the first after the counters were reset): no rates yet. */
	| {kind: 'sample'; sample: WatchSample; baseline: boolean}
	/**
	 * No sample this time, and why. `ends`: there is no connection and there
	 * will be none (never reached, or lost and not back); `dropped`: the
	 * connection dropped, and the next sample reconnects once.
	 */
	| {kind: 'problem'; message: string; ends?: 'unreachable' | 'gone'; dropped?: boolean};

export interface WatchSamplerOptions {
	/** One read of the watch query on the session (the executor's readWatch with the runbook's thresholds). */
	read(): Promise<WatchRead>;
	/** The denokv server log to follow; its errors per minute become a figure. */
	serverLog?: string;
	now?: () => Date;
}

export class WatchSampler {
	private readonly deltas = new SampleDeltas();
	/** What the role cannot see, from the first reading that says so (shown once). */
	hidden: string | undefined;

	private constructor(
		private readonly options: WatchSamplerOptions,
		private readonly follower: LogFollower | undefined,
	) {}

	/** Opens the server log to follow (a LogFileError when it cannot be read). */
	static async open(options: WatchSamplerOptions): Promise<WatchSampler> {
		const follower = options.serverLog === undefined ? undefined : await LogFollower.open(options.serverLog, {now: options.now});
		return new WatchSampler(options, follower);
	}

	get followedLog(): string | undefined {
		return this.follower?.path;
	}

	async sample(): Promise<SampleResult> {
		const read = await this.options.read();
		const at = (this.options.now?.() ?? new Date()).toISOString();
		switch (read.kind) {
			case 'read': {
				this.hidden ??= read.hidden;
				const sample = this.deltas.next(read.reading, at, await this.logRate());
				return {kind: 'sample', sample, baseline: sample.commits_per_s === null};
			}
			case 'failed':
				return {kind: 'problem', message: `no sample: ${read.message}`};
			case 'dropped':
				return {kind: 'problem', message: `the connection dropped (${read.message}); pg500 reconnects once at the next sample`, dropped: true};
			case 'unreachable':
				return {kind: 'problem', message: `cannot reach the target: ${read.message}`, ends: 'unreachable'};
			case 'gone':
				return {kind: 'problem', message: `the target is gone: ${read.message}`, ends: 'gone'};
		}
	}

	/** Errors per minute in the followed log over the last minute; null when none is followed or it cannot be read now. */
	private async logRate(): Promise<number | null> {
		if (!this.follower) return null;
		try {
			await this.follower.poll();
			return this.follower.errorsPerMinute();
		} catch {
			return null;
		}
	}

	async close(): Promise<void> {
		await this.follower?.close();
	}
}
