import type {RunState, StepState} from '../engine/types.ts';
import {formatDuration} from '../text/duration.ts';
import {severityColor, type Glyphs} from './glyphs.ts';
import {paragraph, type Line} from './lines.ts';

/* A resumed session shows how old each result is: a lock chain seen two
 * hours ago before the SSH link dropped may be gone, or worse, now. Results
 * from before the resumption are stale; `r` runs the step again. */

export interface ResultAge {
	ms: number;
	/** Seen before the session was resumed. */
	stale: boolean;
}

/** The age of a step's result, once the session has been resumed; undefined before that or without a result. */
export function resultAge(step: StepState, run: RunState, now: number): ResultAge | undefined {
	if (!run.resumedAt || !step.finishedAt || step.status === 'running') return undefined;
	const finished = Date.parse(step.finishedAt);
	if (Number.isNaN(finished)) return undefined;
	return {ms: Math.max(0, now - finished), stale: finished < Date.parse(run.resumedAt)};
}

/** Short, for the checklist: 45s, 14m, 2h, 3d. */
export function shortAge(ms: number): string {
	const s = Math.round(ms / 1000);
	if (s < 60) return `${s}s`;
	if (s < 3600) return `${Math.floor(s / 60)}m`;
	if (s < 86_400) return `${Math.floor(s / 3600)}h`;
	return `${Math.floor(s / 86_400)}d`;
}

/** The line under a step's title: how old its result is, and for a stale one what to do. */
export function ageLines(step: StepState, run: RunState, now: number, width: number, glyphs: Glyphs): Line[] {
	const age = resultAge(step, run, now);
	if (!age) return [];
	const when = `${formatDuration(age.ms)} ago`;
	if (!age.stale) return paragraph(`${step.id}:age`, `Result from ${when}.`, width, glyphs, {dim: true});
	return paragraph(`${step.id}:age`, `Stale: seen ${when}, before the session was resumed. r runs it again.`, width, glyphs, {color: severityColor.warning}, {
		text: `${glyphs.warning} `,
		color: severityColor.warning,
		bold: true,
	});
}
