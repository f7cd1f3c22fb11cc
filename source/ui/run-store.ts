import {reduce} from '../engine/reducer.ts';
import type {RunEvent, RunState} from '../engine/types.ts';

/** What the TUI needs of the journal: every event appended, notes flushed at once. */
export interface EventSink {
	readonly path: string;
	append(event: RunEvent, options?: {flush?: boolean}): unknown;
}

/**
 * The run state as an external store: performStep needs the new state back
 * synchronously from each dispatch, React reads it with useSyncExternalStore.
 * Every event reaches the journal before the screen, so nothing the operator
 * typed lives only in memory.
 */
export interface RunStore {
	get(): RunState;
	dispatch(event: RunEvent): RunState;
	subscribe(listener: () => void): () => void;
	/** After a shutdown, a step still in flight must not write to a closed journal. */
	close(): void;
}

export function createRunStore(initial: RunState, sink: EventSink, onSinkError: (error: unknown) => void): RunStore {
	let state = initial;
	let closed = false;
	const listeners = new Set<() => void>();
	return {
		get: () => state,
		dispatch(event) {
			if (closed) return state;
			state = reduce(state, event);
			try {
				// A note is what the operator typed: it must survive a dropped link right now.
				const written = sink.append(event, {flush: event.type === 'note-set'});
				if (written instanceof Promise) written.catch(onSinkError);
			} catch (error) {
				onSinkError(error);
			}
			for (const listener of listeners) listener();
			return state;
		},
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		close() {
			closed = true;
		},
	};
}
