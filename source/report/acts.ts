import type {Row} from '../engine/types.ts';
import {formatValue} from '../engine/template.ts';
import type {JsonAction, JsonVerification} from './json.ts';

/* What the summary and the timeline read of "act and verify" (issue 11):
 * the contract's `actions` and `verification` fields (cli-contract.md), and
 * nothing more, so that whatever else a report says about them, these two
 * read the same few facts: who did what to what, when, and what came of it;
 * and whether the evidence cleared, figure by figure. */

/** Who did what to what, when, and what came of it. */
export type ActionFacts = Pick<JsonAction, 'title' | 'target' | 'operator' | 'confirmedAt' | 'status' | 'result' | 'error'>;

/** Whether the evidence cleared, figure by figure (the contract's fields of a figure, whatever else it carries). */
export type VerificationFacts = Pick<JsonVerification, 'at' | 'cleared'> & {
	figures: readonly Pick<JsonVerification['figures'][number], 'stepId' | 'name' | 'before' | 'after'>[];
};

export interface Acts {
	actions: readonly ActionFacts[];
	/** Every verification, oldest first: the timeline shows each, the summary the last. */
	verifications: readonly VerificationFacts[];
}

/** What an action acted on, in a few words: "pid 4242", "role denokv", "database denokv". */
export function actionTarget(target: Row): string {
	for (const key of ['pid', 'role', 'database'] as const) if (target[key] !== undefined && target[key] !== null) return `${key} ${formatValue(target[key])}`;
	return 'its target';
}
