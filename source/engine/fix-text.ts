import type {Fix} from '../runbook/schema.ts';
import {guardedActions, planActions} from './actions.ts';
import {seenValue} from './lookup.ts';
import {fillTemplate} from './template.ts';
import type {RunState} from './types.ts';

/* A fix's words and commands are templates on what the checks found: the
 * host, port and database of the target, the application's role, a value a
 * step saw. A value the run has not seen says so instead of a blank to fill
 * in by hand. */

/** Fills `{@step.column}`, `{@target.host}` and `{$threshold}`; what the run has not seen reads `<name unknown>`. */
export function fillFixText(text: string, state: RunState): string {
	return fillTemplate(text, {}, 0, state.runbook.thresholds, ref => seenValue(state, ref) ?? `<${ref.slice(ref.lastIndexOf('.') + 1)} unknown>`);
}

/** What to do, in order, as the report and the fix view list it: prose filled in, an action by its title (and its number). */
export function fixSteps(fix: Fix, state: RunState): {text: string; action?: number}[] {
	const plans = planActions(state, fix.id);
	const numbers = new Map(guardedActions(fix).map((a, i) => [a.id, i + 1]));
	return fix.actions.map(a =>
		typeof a === 'string' ? {text: fillFixText(a, state)} : {text: plans.find(p => p.id === a.id)?.title ?? a.title, action: numbers.get(a.id)},
	);
}
