import type {RunEvent} from './types.ts';

/* The moments a watched series is marked with: where a person changed
 * something, the figures before and after it are the evidence that it
 * worked. Any timestamped event can be one; a new kind of decision or
 * action (confirmed actions, verification) adds its label here. */

export function momentOf(event: RunEvent): string | undefined {
	switch (event.type) {
		case 'fix-chosen':
			return `fix chosen: ${event.fixId}`;
		default:
			return undefined;
	}
}
