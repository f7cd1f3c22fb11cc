import type {Moment, RunState, WatchSample} from '../engine/types.ts';

/* The watched series in the JSON report (and so in Markdown and HTML, which
 * render the JSON model): each time the live view was open, every sample,
 * the moments to mark on them (a fix chosen, an action done, a verification) and the
 * runbook's thresholds the figures are judged by. null when nothing was
 * watched. */

export interface JsonWatch {
	spans: {startedAt: string; stoppedAt: string | null; intervalSeconds: number; stopReason: string | null}[];
	/** The fields of `pg500 watch`'s JSON line, and idle_in_tx_long (the count the idle-in-transaction threshold counts). */
	samples: WatchSample[];
	moments: Moment[];
	thresholds: Record<string, number>;
}

export function watchJson(state: RunState): JsonWatch | null {
	const watch = state.watch;
	if (!watch || watch.samples.length === 0) return null;
	return {
		spans: watch.spans.map(s => ({startedAt: s.startedAt, stoppedAt: s.stoppedAt ?? null, intervalSeconds: s.intervalSeconds, stopReason: s.stopReason ?? null})),
		samples: watch.samples,
		moments: watch.moments,
		thresholds: state.runbook.thresholds,
	};
}
