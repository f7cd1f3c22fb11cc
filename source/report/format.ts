import type {Severity, Value, Verdict} from '../engine/types.ts';
import type {JsonStep, ReportStatus} from './json.ts';

/* Wording and symbols shared by the Markdown and HTML reports. Reports are
 * UTF-8 files, so they always use the Unicode symbols; the symbol carries the
 * severity where colour is lost (plain-text tickets, black-and-white print). */

export const statusSymbol: Record<ReportStatus, string> = {
	ok: '✔',
	warning: '⚠',
	critical: '✖',
	error: '✖',
	skipped: '–',
	manual: '☐',
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

export function formatValue(value: Value): string {
	if (value === null) return '∅';
	return typeof value === 'string' ? value : String(value);
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

/** What an action acted on, in a few words: "pid 4242 (started 2026-…)", "role denokv", "database denokv". */
export function targetLabel(target: Record<string, Value>): string {
	if (target.pid !== undefined) return `pid ${formatValue(target.pid)}${target.backend_start ? ` (backend started ${formatValue(target.backend_start)})` : ''}`;
	if (target.role !== undefined) return `role ${formatValue(target.role)}`;
	if (target.database !== undefined) return `database ${formatValue(target.database)}`;
	return 'its target';
}

/** A verification's headline. */
export function verificationVerdict(v: {cleared: boolean; cause: string}): string {
	return v.cleared ? `cleared: every figure of ${v.cause} is back to normal` : `not cleared: ${v.cause} is still there, or could not be looked at`;
}
