import type {Row, Value} from '../engine/types.ts';

/* What the summary and the timeline read of "act and verify" (issue 11):
 * the contract's `actions` and `verification` fields (cli-contract.md), and
 * nothing more, so that whatever else a report says about them, these two
 * read the same few facts: who did what to what, when, and what came of it;
 * and whether the evidence cleared, figure by figure. */

export interface ActionFacts {
	title: string;
	/** What it acted on, as seen at diagnosis: `{pid: 12345}`, `{role: "denokv"}`… */
	target: Row;
	/** OS user@host of the person who confirmed it. */
	operator: string;
	confirmedAt: string;
	status: 'done' | 'failed' | 'refused' | 'skipped';
	result: string;
	error: string | null;
}

export interface VerificationFacts {
	at: string;
	/** Every evidence figure of the chosen cause back to normal. */
	cleared: boolean;
	figures: readonly {stepId: string; name: string; before: Value; after: Value}[];
}

export interface Acts {
	actions: readonly ActionFacts[];
	verification: VerificationFacts | null;
}

/** What an action acted on, in a few words: "pid 4242", "role denokv", "database denokv". */
export function actionTarget(target: Row): string {
	for (const key of ['pid', 'role', 'database'] as const) if (target[key] !== undefined && target[key] !== null) return `${key} ${String(target[key])}`;
	return 'its target';
}
