import type {Row} from '../engine/types.ts';
import {figureNames} from '../engine/watch-series.ts';

/* What one read of the watch query gives (watch-sql.ts), as the executor
 * hands it to the sampler: the figures, or why there are none this time. */

/** One row of the watch query, and how many transactions pg500 had ended before it ran. */
export interface WatchReading {
	slots_used: number;
	slots_usable: number;
	idle_in_tx: number;
	idle_in_tx_long: number;
	oldest_idle_in_tx_s: number;
	lock_waiters: number;
	oldest_lock_wait_s: number;
	deadlocks_total: number;
	commits_total: number;
	rollbacks_total: number;
	/** The server's clock (epoch seconds): rates are over its time, not the client's. */
	server_time: number;
	/** When the counters began: the postmaster's start and the last statistics reset. */
	counters_since: string;
	ownTransactions: number;
}

export type WatchRead =
	/** `hidden`: what the role cannot see (a missing privilege), said once by the face. */
	| {kind: 'read'; reading: WatchReading; hidden?: string}
	/** This sample only: a timeout, an error of the query. */
	| {kind: 'failed'; message: string}
	/** The connection dropped; the next read reconnects (once). */
	| {kind: 'dropped'; message: string}
	/** No connection: never reached (`unreachable`), or lost and not back (`gone`). */
	| {kind: 'unreachable' | 'gone'; message: string};

// The sample's own figures, then the counters a sample's rates and deltas are worked out from.
const numericNames = [
	...figureNames,
	'deadlocks_total',
	'commits_total',
	'rollbacks_total',
	'server_time',
] as const;

/** The query's row as a reading; a figure the server left out (a database missing from pg_stat_database) reads 0. */
export function readingOf(row: Row | undefined, ownTransactions: number): WatchReading {
	const reading = {counters_since: String(row?.counters_since ?? ''), ownTransactions} as WatchReading;
	for (const name of numericNames) {
		const value = Number(row?.[name] ?? 0);
		reading[name] = Number.isFinite(value) ? value : 0;
	}
	return reading;
}
