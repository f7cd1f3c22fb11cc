/* Names of the runbook format that the engine and the faces use at run
 * time. Apart from schema.ts, so that using them does not pull the
 * validator (zod) into the bin's first chunk: runbooks are validated in a
 * chunk of their own, only when one is read. */

/** What an action may act on; each has its identity in the evidence row (see actionTargetColumn). */
export const actionTargets = ['session', 'role', 'database'] as const;
export type ActionTarget = (typeof actionTargets)[number];

/**
 * The evidence column that names what an action acts on: its SQL must carry
 * it (that is what "bound to the evidence" means), and pg500 checks it is
 * still the same thing before acting.
 */
export const actionTargetColumn: Record<ActionTarget, string> = {session: 'pid', role: 'role', database: 'database'};

/** What `@target.<field>` names in a text: the target as the operator named it (never a password). */
export const targetFields = ['host', 'port', 'database', 'user'] as const;

export function isTargetRef(ref: string): boolean {
	return ref.startsWith('target.') && (targetFields as readonly string[]).includes(ref.slice('target.'.length));
}

/** The most actions a fix may carry: the fix view's keys 1–9. */
export const maxActionsPerFix = 9;
