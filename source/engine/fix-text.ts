import type {Fix} from '../runbook/schema.ts';
import {planActions} from './actions.ts';
import {chooseFix} from './next.ts';
import {seenValue} from './lookup.ts';
import {fillTemplate, placeholders} from './template.ts';
import type {RunState} from './types.ts';

/* A fix's words and commands as the operator reads them: templates on what
 * the run saw — `{@step-id.column}` (the primary a standby replicates from,
 * the application's role), `{@target.host|port|database|user}`,
 * `{$threshold}` — so the advice names this incident's servers. `|text` says
 * what to show when there is no value; without it, a value the run has not
 * seen reads `<column unknown>`, never a blank to fill in by hand. */

export function fixText(state: RunState, text: string): string {
	const saidUnknown = text.replace(placeholders, (whole, key: string, format?: string, fallback?: string) =>
		key.startsWith('@') && fallback === undefined ? `{${key}${format ? `:${format}` : ''}|<${key.slice(key.lastIndexOf('.') + 1)} unknown>}` : whole,
	);
	return fillTemplate(saidUnknown, {}, 0, state.runbook.thresholds, ref => seenValue(state, ref));
}

/** A fix in the words of this run: its summary, what to do (an action keeps its form: planActions fills it), its commands. */
export function filledFix(state: RunState, fix: Fix): Fix {
	return {
		...fix,
		summary: fixText(state, fix.summary),
		actions: fix.actions.map(a => (typeof a === 'string' ? fixText(state, a) : a)),
		commands: fix.commands.map(c => ({title: fixText(state, c.title), run: fixText(state, c.run)})),
	};
}

/** What to do, in order, as the report lists it: prose filled in, an action by its title (and its number). */
export function fixSteps(fix: Fix, state: RunState): {text: string; action?: number}[] {
	const plans = planActions(state, fix.id);
	return fix.actions.map(a => {
		if (typeof a === 'string') return {text: fixText(state, a)};
		const plan = plans.find(p => p.id === a.id);
		return {text: plan?.title ?? a.title, action: plan?.number};
	});
}

/** With no cause likely enough for a fix, and none chosen: where the runbook says to look next, in this run's words. */
export function whereElseToLook(state: RunState): string | undefined {
	const move = chooseFix(state);
	if (!state.runbook.elsewhere || state.chosenFix || move.kind !== 'choose-fix' || move.recommended) return undefined;
	return fixText(state, state.runbook.elsewhere);
}
