import type {Moment, RunState, WatchSample, WatchSeries} from './types.ts';

/* The watched series in the run state: the reducer's part of the watch
 * events. A journal is untrusted input, so a sample keeps only its figures,
 * each a finite number (or null where null is allowed). */

const empty: WatchSeries = {spans: [], samples: [], moments: []};

/** A sample's figures that are always a number (the query reads them as they are). */
export const figureNames = [
	'slots_used',
	'slots_usable',
	'idle_in_tx',
	'idle_in_tx_long',
	'oldest_idle_in_tx_s',
	'lock_waiters',
	'oldest_lock_wait_s',
] as const satisfies readonly (keyof WatchSample)[];
const nullableNames = ['deadlocks', 'commits_per_s', 'rollbacks_per_s', 'server_log_errors_per_min'] as const satisfies readonly (keyof WatchSample)[];

const finite = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** The sample's figures and nothing else; a figure that is not a number reads 0 (null where null is allowed). */
export function cleanSample(raw: WatchSample): WatchSample {
	const sample = {at: raw.at} as WatchSample;
	for (const name of figureNames) sample[name] = finite(raw[name]) ?? 0;
	for (const name of nullableNames) sample[name] = finite(raw[name]);
	return sample;
}

function change(state: RunState, update: (series: WatchSeries) => WatchSeries): RunState {
	return {...state, watch: update(state.watch ?? empty)};
}

export function watchStarted(state: RunState, at: string, intervalSeconds: number): RunState {
	return change(state, w => ({...w, spans: [...w.spans, {startedAt: at, intervalSeconds: finite(intervalSeconds) ?? 0}]}));
}

export function watchSampled(state: RunState, sample: WatchSample): RunState {
	return change(state, w => ({...w, samples: [...w.samples, cleanSample(sample)]}));
}

export function watchStopped(state: RunState, at: string, reason: string | undefined): RunState {
	return change(state, w => {
		const last = w.spans.at(-1);
		if (!last || last.stoppedAt) return w;
		return {...w, spans: [...w.spans.slice(0, -1), {...last, stoppedAt: at, ...(reason ? {stopReason: reason} : {})}]};
	});
}

export function withMoment(state: RunState, moment: Moment): RunState {
	return change(state, w => ({...w, moments: [...w.moments, moment]}));
}
