import type {Histogram, Row, SessionEnding, Severity, Verdict} from '../engine/types.ts';
import {formatValue} from '../engine/template.ts';
import {actionTarget} from './acts.ts';
import {endings} from '../engine/reducer.ts';
import {minChartLines} from '../logs/tally.ts';
import {formatDuration} from '../text/duration.ts';
import type {JsonReport, JsonStep, ReportStatus} from './json.ts';
import type {TimelineMark} from './timeline.ts';

export {formatValue} from '../engine/template.ts';

/* Wording and symbols shared by the Markdown and HTML reports. Reports are
 * UTF-8 files, so they always use the Unicode symbols; the symbol carries the
 * severity where colour is lost (plain-text tickets, black-and-white print). */

export const statusSymbol: Record<ReportStatus, string> = {
	ok: '✔',
	warning: '⚠',
	critical: '✖',
	error: '✖',
	skipped: '–',
	// Work for a person, not a failure: a pencil until it is ticked off (☑).
	manual: '✎',
};

export const severitySymbol: Record<Severity, string> = {info: 'ℹ', warning: '⚠', critical: '✖'};

export const verdictSymbol: Record<Verdict, string> = {ok: '✔', warning: '⚠', critical: '✖', unknown: '?'};

export const verdictMeaning: Record<Verdict, string> = {
	ok: 'nothing anomalous found',
	warning: 'at least one warning, nothing critical',
	critical: 'at least one critical finding',
	unknown: 'the session stopped before the run finished; what it saw so far is below',
};

export function stepSymbol(step: JsonStep): string {
	return step.status === 'manual' && step.done ? '☑' : statusSymbol[step.status];
}

/** "critical, 23 ms"; a step for a person says whether it is done, not "manual". */
export function stepTiming(step: JsonStep): string {
	if (step.status === 'manual') return step.done ? 'done by hand' : 'to do by hand';
	return [step.status, step.durationMs === null ? '' : formatDuration(step.durationMs)].filter(Boolean).join(', ');
}

/** Before the text of a timeline entry: its symbol and a space, or nothing. */
export function timelineMarkSymbol(mark: TimelineMark): string {
	if (mark === null) return '';
	return `${mark === 'ok' ? '✔' : severitySymbol[mark]} `;
}

/** A chart only where there is something to see: a line or two make no trend. */
export function hasChart(histogram: Histogram): boolean {
	return histogram.counts.reduce((a, b) => a + b, 0) >= minChartLines;
}

/**
 * Who ran each part of the session, from where, with which pg500, when:
 * `["Run by", "alice@bastion-1 with pg500 0.1.0, 03:12:04–03:20:11 UTC"]`,
 * then a `Resumed by` line per resume with the gap before it.
 */
export function sessionLines(report: Pick<JsonReport, 'sessions'>): [string, string][] {
	const clock = (iso: string) => formatTime(iso).slice(11, 19);
	return report.sessions.map((part, i) => {
		const who = part.operator ?? 'an operator pg500 did not record';
		const span = `${clock(part.startedAt)}–${clock(part.lastAt)} UTC`;
		const gap = part.gapMs === null ? '' : `, after a gap of ${formatDuration(part.gapMs)}`;
		const ended = part.endedBy ? `; ended: ${endings[part.endedBy as SessionEnding]?.short ?? part.endedBy}` : '';
		return [i === 0 ? 'Run by' : 'Resumed by', `${who} with ${part.tool.name} ${part.tool.version}, ${span}${gap}${ended}`];
	});
}

/**
 * Times of a timeline as `03:12:44`, with the date before the first and
 * before any that falls on another day than the one before it.
 */
export function timelineClock(): (iso: string) => string {
	let day: string | undefined;
	return iso => {
		const full = formatTime(iso);
		if (full === iso) return iso;
		const [date, time] = full.split(' ');
		const shown = date === day ? time! : `${date} ${time}`;
		day = date;
		return shown;
	};
}

/** ISO time → "2024-05-01 03:12:44 UTC" (incidents are compared across time zones). */
export function formatTime(iso: string): string {
	const date = new Date(iso);
	return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Milliseconds between two ISO times, or undefined when one is missing. */
export function elapsedMs(from: string | null, to: string | null): number | undefined {
	if (!from || !to) return undefined;
	const ms = Date.parse(to) - Date.parse(from);
	return Number.isNaN(ms) ? undefined : Math.max(0, ms);
}


/** The columns to show: the step's declared ones, else every column seen in the rows. */
export function tableColumns(step: JsonStep): string[] {
	if (step.columns && step.columns.length > 0) return step.columns;
	return [...new Set(step.rows.flatMap(row => Object.keys(row)))];
}

export function countWord(n: number, word: string): string {
	return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "2 critical, 1 warning" over every finding of the report. */
export function findingSummary(steps: JsonStep[]): string {
	const counts: Record<Severity, number> = {critical: 0, warning: 0, info: 0};
	for (const step of steps) for (const f of step.findings) counts[f.severity] += 1;
	const parts = [
		counts.critical > 0 ? `${counts.critical} critical` : '',
		counts.warning > 0 ? countWord(counts.warning, 'warning') : '',
		counts.info > 0 ? `${counts.info} info` : '',
	].filter(Boolean);
	return parts.length > 0 ? parts.join(', ') : 'no findings';
}

/** How the fix in a report came to be there. */
export function fixChoice(fix: {chosen: boolean; by: string | null}): string {
	if (!fix.chosen) return 'recommended, not chosen yet';
	return fix.by === 'operator' ? 'chosen by the operator' : 'chosen automatically: the top-ranked cause';
}

/** An action's outcome at a glance: done, failed, refused at the prompt, skipped because the target moved on. */
export const actionSymbol: Record<'done' | 'failed' | 'refused' | 'skipped', string> = {done: '✔', failed: '✖', refused: '⊘', skipped: '↷'};

/** What an action acted on, for the record: "pid 4242 (backend started 2026-…)", "role denokv", "database denokv". */
export function targetLabel(target: Row): string {
	const started = target['pid'] !== undefined && target['backend_start'] ? ` (backend started ${formatValue(target['backend_start'])})` : '';
	return actionTarget(target) + started;
}

/** A verification's headline. */
export function verificationVerdict(v: {cleared: boolean; cause: string}): string {
	return v.cleared ? `cleared: every figure of ${v.cause} is back to normal` : `not cleared: ${v.cause} is still there, or could not be looked at`;
}
