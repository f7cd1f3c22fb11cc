import type {RunEvent, RunState} from './types.ts';

/* The moments a watched series is marked with: where a person changed
 * something, the figures before and after it are the evidence that it
 * worked. Any timestamped event can be one; a new kind of decision or
 * action adds its label here. */

/** The label of the moment `event` marks, judged on the state it made (`state`); undefined: none. */
export function momentOf(event: RunEvent, state: RunState): string | undefined {
	switch (event.type) {
		case 'fix-chosen':
			return `fix chosen: ${event.fixId}`;
		case 'action-taken': {
			// Only what changed the database is a moment; one per confirmation, however many sessions it ended.
			if (event.status !== 'done') return undefined;
			const sameAnswer = state.actions.slice(0, -1).some(a => a.status === 'done' && a.actionId === event.actionId && a.confirmedAt === event.confirmedAt);
			return sameAnswer ? undefined : `action: ${event.actionId}`;
		}
		case 'verified':
			return `verified: ${state.verifications.at(-1)?.cleared ? 'cleared' : 'not cleared'}`;
		default:
			return undefined;
	}
}
