import type {Severity, WatchSample} from '../engine/types.ts';

/* The watched figures: what each is called, how it reads, and how the
 * runbook's thresholds judge it — the one table the live view, the
 * Markdown summary and the HTML charts all follow. A figure without a
 * threshold in the runbook (commits, rollbacks) is shown, never judged. */

export type Thresholds = Record<string, number>;

export interface Figure {
	id: string;
	label: string;
	/** After the value: ` s`, `/s`, `/min`, or nothing for a count. */
	unit: string;
	value(sample: WatchSample): number | null;
	/** The runbook's verdict on this figure in `sample`; undefined: normal. */
	judge(sample: WatchSample, t: Thresholds): Severity | undefined;
	/** Where a chart draws the thresholds of this figure, for `sample`'s server. */
	limits?(sample: WatchSample, t: Thresholds): {warning?: number; critical?: number};
	/**
	 * The value a sparkline's full bar stands for, at the least: the limit
	 * the figure is judged against, so a healthy figure draws low bars
	 * instead of filling the line with its own small maximum.
	 */
	ceiling?(sample: WatchSample, t: Thresholds): number | undefined;
	/** How the current value reads (the slots with their limit). */
	show?(sample: WatchSample): string;
	/** Shown only when some sample has it (the server log's figure). */
	optional?: boolean;
}

const worst = (critical: boolean, warning: boolean): Severity | undefined => (critical ? 'critical' : warning ? 'warning' : undefined);
/** A threshold the runbook may leave out: then nothing is judged by it. */
const at = (t: Thresholds, name: string) => t[name] ?? Number.POSITIVE_INFINITY;

const slotsPct = (s: WatchSample) => (100 * s.slots_used) / Math.max(1, s.slots_usable);

const idleJudge = (s: WatchSample, t: Thresholds) =>
	worst(s.idle_in_tx_long >= at(t, 'idle_tx_critical_count') || s.oldest_idle_in_tx_s > at(t, 'idle_tx_critical_seconds'), s.oldest_idle_in_tx_s >= at(t, 'idle_tx_warning_seconds'));
const lockJudge = (s: WatchSample, t: Thresholds) =>
	worst(s.oldest_lock_wait_s >= at(t, 'lock_wait_critical_seconds'), s.oldest_lock_wait_s >= at(t, 'lock_wait_warning_seconds'));

export const figures: readonly Figure[] = [
	{
		id: 'slots_used',
		label: 'client slots used',
		unit: '',
		value: s => s.slots_used,
		judge: (s, t) => worst(slotsPct(s) >= at(t, 'slots_critical_pct'), slotsPct(s) >= at(t, 'slots_warning_pct')),
		limits: (s, t) => ({warning: (s.slots_usable * at(t, 'slots_warning_pct')) / 100, critical: (s.slots_usable * at(t, 'slots_critical_pct')) / 100}),
		ceiling: s => s.slots_usable,
		show: s => `${s.slots_used}/${s.slots_usable} (${Math.round(slotsPct(s))} %)`,
	},
	{
		id: 'idle_in_tx',
		label: 'idle in transaction',
		unit: '',
		value: s => s.idle_in_tx,
		judge: idleJudge,
		ceiling: (_s, t) => t.idle_tx_critical_count,
	},
	{
		id: 'oldest_idle_in_tx_s',
		label: 'oldest idle in transaction',
		unit: ' s',
		value: s => s.oldest_idle_in_tx_s,
		// The age alone: the count of old ones judges the line above.
		judge: (s, t) => worst(s.oldest_idle_in_tx_s > at(t, 'idle_tx_critical_seconds'), s.oldest_idle_in_tx_s >= at(t, 'idle_tx_warning_seconds')),
		limits: (_s, t) => ({warning: t.idle_tx_warning_seconds, critical: t.idle_tx_critical_seconds}),
		ceiling: (_s, t) => t.idle_tx_critical_seconds,
	},
	{
		id: 'lock_waiters',
		label: 'waiting on locks',
		unit: '',
		value: s => s.lock_waiters,
		// Judged by how long the oldest has waited: a healthy load always has a few waiting some milliseconds.
		judge: lockJudge,
	},
	{
		id: 'oldest_lock_wait_s',
		label: 'longest lock wait',
		unit: ' s',
		value: s => s.oldest_lock_wait_s,
		judge: lockJudge,
		limits: (_s, t) => ({warning: t.lock_wait_warning_seconds, critical: t.lock_wait_critical_seconds}),
		ceiling: (_s, t) => t.lock_wait_critical_seconds,
	},
	{
		id: 'deadlocks',
		label: 'new deadlocks',
		unit: '',
		value: s => s.deadlocks,
		// The counter rising during the incident is critical (the locks step's deadlock-counter rule).
		judge: s => worst((s.deadlocks ?? 0) > 0, false),
		ceiling: () => 1,
	},
	{id: 'commits_per_s', label: 'commits', unit: '/s', value: s => s.commits_per_s, judge: () => undefined},
	{id: 'rollbacks_per_s', label: 'rollbacks', unit: '/s', value: s => s.rollbacks_per_s, judge: () => undefined},
	{
		id: 'server_log_errors_per_min',
		label: 'denokv log errors',
		unit: '/min',
		value: s => s.server_log_errors_per_min,
		// As the log steps judge a cause's lines: any is a warning, log_lines_critical_count in the last minute critical.
		judge: (s, t) => worst((s.server_log_errors_per_min ?? 0) >= at(t, 'log_lines_critical_count'), (s.server_log_errors_per_min ?? 0) > 0),
		limits: (_s, t) => ({critical: t.log_lines_critical_count}),
		ceiling: (_s, t) => t.log_lines_critical_count,
		optional: true,
	},
];

/** The figures a series has: the optional ones only when some sample carries them. */
export function figuresOf(samples: readonly WatchSample[]): Figure[] {
	return figures.filter(f => !f.optional || samples.some(s => f.value(s) !== null));
}

/** `12`, `41 s`, `210.5/s`; `-` for none. */
export function formatFigure(figure: Figure, value: number | null): string {
	return value === null ? '-' : `${value}${figure.unit}`;
}

/** The value as the view's value column and the summary show it. */
export function shownValue(figure: Figure, sample: WatchSample): string {
	return figure.show?.(sample) ?? formatFigure(figure, figure.value(sample));
}

export interface FigureSummary {
	min: number | null;
	max: number | null;
	last: number | null;
	/** The last sample's verdict; the worst verdict of any sample. */
	lastSeverity?: Severity;
	worstSeverity?: Severity;
}

const rank = (s: Severity | undefined) => (s === 'critical' ? 2 : s === 'warning' ? 1 : 0);

export function summarize(figure: Figure, samples: readonly WatchSample[], t: Thresholds): FigureSummary {
	const values = samples.map(s => figure.value(s)).filter((v): v is number => v !== null);
	const min = values.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
	const max = values.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
	let worstSeverity: Severity | undefined;
	for (const s of samples) {
		const severity = figure.judge(s, t);
		if (rank(severity) > rank(worstSeverity)) worstSeverity = severity;
	}
	const last = samples.at(-1);
	return {
		min: values.length ? min : null,
		max: values.length ? max : null,
		last: last ? figure.value(last) : null,
		lastSeverity: last ? figure.judge(last, t) : undefined,
		worstSeverity,
	};
}
