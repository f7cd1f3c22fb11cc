import {useState} from 'react';
import type {Severity} from '../engine/types.ts';
import {noteInputReducer, type NoteInputAction} from './use-note-input-state.ts';

/* What the screen shows, apart from the run itself (which lives in the run store). */

export type View = 'step' | 'causes' | 'fix' | 'quiz';
/**
 * Inputs over the panel. The log ones, for a log step the tool could not read:
 * `log-path` types a path; `log-command` picks a command, `log-value` fills in
 * its placeholder, `log-confirm` shows the exact line and runs it only on `y`.
 */
export type Overlay = 'help' | 'note' | 'quit' | 'log-path' | 'log-command' | 'log-value' | 'log-confirm' | 'quiz';

/** Overlays that are a line of text being typed. */
export const inputOverlays: readonly Overlay[] = ['note', 'log-path', 'log-value'];

export interface GuideState {
	view: View;
	/** The step whose panel is shown (a main step or a fix follow-up). */
	focus?: string;
	scroll: number;
	overlay?: Overlay;
	/** The step running now: the spinner shows only while this is set. */
	running?: string;
	message?: {text: string; severity: Severity};
	/** A note was saved after the last exported report. */
	unsavedNotes: boolean;
	/** The log step the log overlays act on, and the command being prepared for it. */
	log?: {stepId: string; commandId?: string; line?: string};
	/** Training mode: the reveal once the trainee named the cause. */
	reveal?: {correct: boolean; text: string};
	/** The result row picked in the panel (→), and whether its detail is open. */
	cursor?: {index: number; open: boolean};
	/** The item highlighted in the list under the panel (the fix, a log command, the quiz's answers). */
	list: number;
	/** The line being typed in an input overlay. */
	input: string;
}

export type GuideAction =
	| {type: 'show'; view: View; focus?: string}
	| {type: 'scroll'; by: number; max: number}
	| {type: 'scroll-to'; line: number}
	| {type: 'overlay'; overlay?: Overlay}
	| {type: 'running'; stepId?: string}
	| {type: 'message'; text: string; severity: Severity}
	| {type: 'note-saved'}
	| {type: 'exported'}
	| {type: 'log'; overlay: 'log-path' | 'log-command' | 'log-value' | 'log-confirm'; log: NonNullable<GuideState['log']>}
	| {type: 'revealed'; correct: boolean; text: string}
	| {type: 'cursor'; cursor?: GuideState['cursor']}
	| {type: 'list'; index: number}
	| {type: 'input'; edit: NoteInputAction};

/** A new overlay starts its list at the top and its input empty. */
function entering(state: GuideState, overlay: Overlay | undefined): Pick<GuideState, 'list' | 'input'> {
	return overlay === state.overlay ? {list: state.list, input: state.input} : {list: 0, input: ''};
}

export function guideReducer(state: GuideState, action: GuideAction): GuideState {
	switch (action.type) {
		case 'show': {
			const focus = action.focus ?? state.focus;
			const same = action.view === state.view && focus === state.focus;
			return same ? state : {...state, view: action.view, focus, scroll: 0, cursor: undefined, list: action.view === state.view ? state.list : 0};
		}
		case 'scroll':
			return {...state, scroll: Math.max(0, Math.min(action.max, state.scroll + action.by))};
		case 'scroll-to':
			return {...state, scroll: Math.max(0, action.line)};
		case 'overlay': {
			// Leaving the log overlays forgets the command half-prepared there; its error line goes too.
			const inLog = (o?: Overlay) => o?.startsWith('log-') ?? false;
			return {
				...state,
				...entering(state, action.overlay),
				overlay: action.overlay,
				log: inLog(action.overlay) ? state.log : undefined,
				message: inLog(state.overlay) && !inLog(action.overlay) ? undefined : state.message,
			};
		}
		case 'log':
			return {...state, ...entering(state, action.overlay), overlay: action.overlay, log: action.log, message: undefined};
		case 'revealed':
			return {...state, overlay: undefined, view: 'quiz', scroll: 0, cursor: undefined, reveal: {correct: action.correct, text: action.text}, unsavedNotes: true};
		case 'running':
			return {...state, running: action.stepId, message: action.stepId ? undefined : state.message};
		case 'message':
			return {...state, message: {text: action.text, severity: action.severity}};
		case 'note-saved':
			return {...state, unsavedNotes: true, overlay: undefined, input: ''};
		case 'exported':
			return {...state, unsavedNotes: false};
		case 'cursor':
			return {...state, cursor: action.cursor};
		case 'list':
			return {...state, list: action.index};
		case 'input':
			return {...state, input: noteInputReducer(state.input, action.edit)};
	}
}

/**
 * The guide state as an external store, like the run store: a burst of keys
 * is applied one after another, each to the state the previous one left
 * (React's state would give every key of the burst the same stale render).
 */
export interface GuideStore {
	get(): GuideState;
	dispatch(action: GuideAction): void;
	subscribe(listener: () => void): () => void;
}

export function createGuideStore(initial: Omit<GuideState, 'list' | 'input'> & Partial<GuideState>): GuideStore {
	let state: GuideState = {list: 0, input: '', ...initial};
	const listeners = new Set<() => void>();
	return {
		get: () => state,
		dispatch(action) {
			const next = guideReducer(state, action);
			if (next === state) return;
			state = next;
			for (const listener of listeners) listener();
		},
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
	};
}

/** One guide store for the life of the component. */
export function useGuideStore(initial: () => Parameters<typeof createGuideStore>[0]): GuideStore {
	const [store] = useState(() => createGuideStore(initial()));
	return store;
}
