import type {Fix} from '../runbook/schema.ts';
import type {RunState} from './types.ts';
import {earlierValue} from './steps.ts';
import {fillTemplate} from './template.ts';

/**
 * A fix's text as the operator reads it: `{@step-id.column|…}` and
 * `{$threshold}` filled from the run (e.g. the primary's address a standby
 * replicates from), so the advice names this incident's servers.
 */
export function fixText(state: RunState, text: string): string {
	return fillTemplate(text, {}, 0, state.runbook.thresholds, ref => earlierValue(state, ref));
}

export function filledFix(state: RunState, fix: Fix): Fix {
	return {...fix, summary: fixText(state, fix.summary), actions: fix.actions.map(a => fixText(state, a))};
}
