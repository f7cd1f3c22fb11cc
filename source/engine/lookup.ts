import {isTargetRef} from '../runbook/names.ts';
import type {RunState, TargetInfo, Value} from './types.ts';

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

/** The same login on the same server and database (the server's version and a pooler aside). */
export function sameTarget(a: TargetInfo, b: TargetInfo): boolean {
	return a.user === b.user && a.host === b.host && a.port === b.port && a.database === b.database;
}
