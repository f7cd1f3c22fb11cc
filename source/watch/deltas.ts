import type {WatchSample} from '../engine/types.ts';
import type {WatchReading} from './reading.ts';

/* From what the watch query read to a sample: levels as they are, the
 * deadlock counter as its change since the previous reading, commits and
 * rollbacks as rates. pg500's own transactions end in a rollback on the
 * server, and they are the application's rollbacks to nobody: the ones the
 * server counts are taken out. */

/** Rates read well with one decimal; a count per second under 1 keeps two. */
function roundRate(perSecond: number): number {
	return perSecond >= 1 ? Math.round(perSecond * 10) / 10 : Math.round(perSecond * 100) / 100;
}

/**
 * Seconds a rate is taken over, at the least. A backend sends its counts at
 * most once a second, so over half a second a steady load reads as 0 one
 * sample and twice its rate the next; over five it reads steady.
 */
export const rateWindowSeconds = 5;

interface Counted {
	server_time: number;
	commits: number;
	/** The application's: pg500's own that the server counts taken out. */
	rollbacks: number;
}

export class SampleDeltas {
	private previous: WatchReading | undefined;
	/** The readings of the last rate window (and the one before it), oldest first. */
	private window: Counted[] = [];

	/** The sample of `reading`, taken at `at`; `serverLogErrorsPerMin` from the followed log, if any. */
	next(reading: WatchReading, at: string, serverLogErrorsPerMin: number | null): WatchSample {
		const previous = this.previous;
		this.previous = reading;
		const counted: Counted = {server_time: reading.server_time, commits: reading.commits_total, rollbacks: reading.rollbacks_total - reading.ownTransactions};
		const comparable =
			previous !== undefined &&
			previous.counters_since === reading.counters_since &&
			reading.server_time > previous.server_time &&
			reading.commits_total >= previous.commits_total &&
			reading.deadlocks_total >= previous.deadlocks_total;
		// A restart or a reset starts the counters again: this reading is a new baseline.
		if (!comparable) this.window = [];
		this.window.push(counted);
		// The newest reading at least a window old is where the rates start from.
		while (this.window.length > 2 && this.window[1]!.server_time <= reading.server_time - rateWindowSeconds) this.window.shift();
		const from = this.window[0]!;
		const seconds = reading.server_time - from.server_time;
		return {
			at,
			slots_used: reading.slots_used,
			slots_usable: reading.slots_usable,
			idle_in_tx: reading.idle_in_tx,
			oldest_idle_in_tx_s: reading.oldest_idle_in_tx_s,
			lock_waiters: reading.lock_waiters,
			oldest_lock_wait_s: reading.oldest_lock_wait_s,
			deadlocks: comparable ? reading.deadlocks_total - previous!.deadlocks_total : null,
			commits_per_s: comparable ? roundRate((counted.commits - from.commits) / seconds) : null,
			rollbacks_per_s: comparable ? roundRate(Math.max(0, counted.rollbacks - from.rollbacks) / seconds) : null,
			server_log_errors_per_min: serverLogErrorsPerMin,
			idle_in_tx_long: reading.idle_in_tx_long,
		};
	}
}
