import type {RunState, Verdict} from './types.ts';
import {allFindings, incident} from './causes.ts';
import {worstSeverity} from './rules.ts';

/**
 * The run's verdict: the worst finding. A step that could not run counts as a
 * warning at least — the tool never says "ok" about what it could not see.
 */
export function verdictOf(run: RunState): Verdict {
	// The incident's verdict: a check re-run after the fix was chosen does not change it.
	const state = incident(run);
	const worst = worstSeverity(allFindings(state));
	if (worst === 'critical') return 'critical';
	if (worst === 'warning' || Object.values(state.steps).some(s => s.status === 'error')) return 'warning';
	return 'ok';
}

/**
 * The verdict a report gives: an interrupted run that found nothing wrong has
 * not earned "ok" — it did not look everywhere — so it says `unknown`.
 */
export function reportVerdict(state: RunState): Verdict {
	const verdict = verdictOf(state);
	return verdict === 'ok' && state.finishedAt === undefined ? 'unknown' : verdict;
}

export const exitCodes: Record<Verdict, number> = {ok: 0, warning: 1, critical: 2, unknown: 3};
