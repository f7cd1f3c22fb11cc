import {isTargetRef} from '../runbook/names.ts';
import type {RunState, Value} from './types.ts';

/* What `@name.column` means in a rule, a fix's text or an action: a value
 * the run has seen. */

/**
 * `step-id.column`: that column of the first row the step returned;
 * `target.host|port|database|user`: the target. Undefined when not seen.
 */
export function seenValue(state: RunState, ref: string): Value | undefined {
	if (isTargetRef(ref)) return state.target?.[ref.slice('target.'.length) as 'host' | 'port' | 'database' | 'user'];
	const dot = ref.lastIndexOf('.');
	const value = state.steps[ref.slice(0, dot)]?.rows[0]?.[ref.slice(dot + 1)];
	return value ?? undefined;
}
