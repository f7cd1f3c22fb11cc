import {reduce} from '../engine/reducer.ts';
import type {RunEvent, RunState} from '../engine/types.ts';
import type {JournalHealth} from '../journal/write.ts';

/** What a face shows of a session: the run, and what the controller is doing with it. */
export interface SessionState {
	run: RunState;
	/** The step running now (a spinner); while it is set no other step starts. */
	running?: string;
	/** A note (or a quiz result) was saved after the last exported report. */
	unsavedNotes: boolean;
	/** Training mode: the reveal once the trainee named the cause. */
	reveal?: {correct: boolean; text: string};
	/**
	 * The journal's file would not take every event (a full disk): how many
	 * wait in memory (retried), and why. Unset while everything is written.
	 */
	journalBacklog?: {events: number; problem: string};
	/** The live watch, while it is open: its samples are in run.watch, journaled. */
	watch?: LiveWatch;
}

/** What the face shows of the watch beyond its samples. */
export interface LiveWatch {
	intervalSeconds: number;
	/** Index in run.watch.samples of this watch's first sample: its trend is since then. */
	since: number;
	/** The denokv server log followed, if any. */
	followedLog?: string;
	/** The last problem (a sample not taken, a dropped connection) or notice (what the role cannot see). */
	status?: {text: string; severity: 'info' | 'warning' | 'critical'};
	/** Sampling ended on its own (the target is gone); the view stays until closed. */
	ended?: boolean;
}

/** Where every event goes before anything else sees it: the journal. Notes and actions are flushed at once. */
export interface EventSink {
	append(event: RunEvent, options?: {flush?: boolean}): unknown;
	/** A sink that keeps what it could not write (the journal) says how it stands... */
	health?(): JournalHealth;
	/** ...and when that changes; returns the unsubscribe. */
	onHealth?(listener: (health: JournalHealth) => void): () => void;
}

export type SessionEventListener = (event: RunEvent, state: SessionState) => void;

/**
 * The session as an external store: the controller needs the new run state
 * back synchronously from each dispatch, React reads it with
 * useSyncExternalStore, `run` with getState(). Every event reaches the journal
 * before any listener, so nothing the operator typed lives only in memory.
 */
export interface SessionStore {
	getState(): SessionState;
	/** Called after every change (an event, or a step starting or ending). */
	subscribe(listener: () => void): () => void;
	/** Called with every event, after the journal and the state have it. */
	onEvent(listener: SessionEventListener): () => void;
	/** Applies a run event: the reducer, the journal, then the listeners. */
	dispatch(event: RunEvent): RunState;
	setRunning(stepId: string | undefined): void;
	setReveal(reveal: SessionState['reveal']): void;
	setWatch(watch: LiveWatch | undefined): void;
	/** After a shutdown, a step still in flight must not write to a closed journal. */
	close(): void;
}

/** Notes typed and not exported yet: a replayed session has them when it has notes and no report. */
function unsavedIn(run: RunState): boolean {
	return run.exports.length === 0 && Object.values(run.steps).some(s => s.note);
}

/** Events held back by the sink, as the state shows them; undefined when none are. */
function backlogOf(health: JournalHealth | undefined): SessionState['journalBacklog'] {
	return health && health.unsaved > 0 ? {events: health.unsaved, problem: health.problem ?? 'write failed'} : undefined;
}

export function createSessionStore(initial: RunState, sink: EventSink | undefined, onSinkError: (error: unknown) => void): SessionStore {
	let state: SessionState = {run: initial, unsavedNotes: unsavedIn(initial), journalBacklog: backlogOf(sink?.health?.())};
	let closed = false;
	const listeners = new Set<() => void>();
	const eventListeners = new Set<SessionEventListener>();
	const change = (next: SessionState) => {
		if (closed) return;
		state = next;
		for (const listener of listeners) listener();
	};
	// The journal's own retries (a timer) end a backlog without an event: the state follows its health.
	const stopHealth = sink?.onHealth?.(health => change({...state, journalBacklog: backlogOf(health)}));
	return {
		getState: () => state,
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		onEvent(listener) {
			eventListeners.add(listener);
			return () => eventListeners.delete(listener);
		},
		dispatch(event) {
			if (closed) return state.run;
			const run = reduce(state.run, event);
			try {
				// A note is what the operator typed: it must survive a dropped link right now.
				// An answer at a confirmation too: what was done to the database must outlive the link.
				const written = sink?.append(event, {flush: event.type === 'note-set' || event.type === 'action-taken'});
				if (written instanceof Promise) written.catch(onSinkError);
			} catch (error) {
				onSinkError(error);
			}
			const unsavedNotes = event.type === 'note-set' ? true : event.type === 'report-exported' ? false : state.unsavedNotes;
			change({...state, run, unsavedNotes});
			for (const listener of eventListeners) listener(event, state);
			return state.run;
		},
		setRunning(stepId) {
			if (state.running !== stepId) change({...state, running: stepId});
		},
		setReveal(reveal) {
			change({...state, reveal});
		},
		setWatch(watch) {
			change({...state, watch});
		},
		close() {
			closed = true;
			stopHealth?.();
		},
	};
}
