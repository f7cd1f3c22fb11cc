import {useState} from 'react';
import type {Severity} from '../engine/types.ts';
import {noteInputReducer, type NoteInputAction} from './use-note-input-state.ts';

/* What the screen shows, apart from the session itself (the session
 * controller's state: the run, the step running, the quiz's reveal). */

/** `watch`: the live figures (`w`), full width, over whatever view was there before (`back`). */
export type View = 'step' | 'causes' | 'fix' | 'quiz' | 'watch';
/**
 * Inputs over the panel. The log ones, for a log step the tool could not read:
 * `log-path` types a path; `log-command` picks a command, `log-value` fills in
 * its placeholder, `log-confirm` shows the exact line and runs it only on `y`.
 */
export type Overlay = 'help' | 'note' | 'quit' | 'log-path' | 'log-command' | 'log-value' | 'log-confirm' | 'quiz' | 'export' | 'act' | 'login' | 'password';

/**
 * Overlays that are a line of text being typed. `act`: the answer at an
 * action's confirmation (yes runs it); `login`, `password`: reconnecting as
 * another role or URL (the password is never shown, and leaves with the overlay).
 */
export const inputOverlays: readonly Overlay[] = ['note', 'log-path', 'log-value', 'act', 'login', 'password'];

export interface GuideState {
	view: View;
	/** Under the watch: the view it returns to when closed. */
	back?: Exclude<View, 'watch'>;
	/** The step whose panel is shown (a main step or a fix follow-up). */
	focus?: string;
	scroll: number;
	overlay?: Overlay;
	message?: {text: string; severity: Severity};
	/** The log step the log overlays act on, and the command being prepared for it. */
	log?: {stepId: string; commandId?: string; line?: string};
	/** The result row picked in the panel (→), and whether its detail is open. */
	cursor?: {index: number; open: boolean};
	/** The item highlighted in the list under the panel (the fix, a log command, the quiz's answers). */
	list: number;
	/** The line being typed in an input overlay. */
	input: string;
	/** The report `e` wrote last: where, and its summary for the incident channel (the export overlay shows them). */
	exported?: {path: string; summary: string[]};
	/** The action whose confirmation is open (`act`). */
	act?: string;
	/** The role or URL typed before the password (`password`). */
	login?: string;
}

export type GuideAction =
	| {type: 'show'; view: View; focus?: string}
	/** A step started: the screen goes to it (a main step's panel, or the fix for a follow-up). */
	| {type: 'follow'; stepId: string; main: boolean}
	| {type: 'scroll'; by: number; max: number}
	| {type: 'scroll-to'; line: number}
	| {type: 'overlay'; overlay?: Overlay}
	| {type: 'message'; text: string; severity: Severity}
	| {type: 'log'; overlay: 'log-path' | 'log-command' | 'log-value' | 'log-confirm'; log: NonNullable<GuideState['log']>}
	| {type: 'cursor'; cursor?: GuideState['cursor']}
	| {type: 'list'; index: number}
	| {type: 'input'; edit: NoteInputAction}
	/** A report was written: show where, and its summary. */
	| {type: 'exported'; path: string; summary: string[]}
	/** An action's confirmation opens (`act`), or the password is asked for `login`. */
	| {type: 'confirm-action'; actionId: string}
	| {type: 'ask-password'; login: string};

const inLog = (o?: Overlay) => o?.startsWith('log-') ?? false;

/** A new overlay starts its list at the top and its input empty. */
function entering(state: GuideState, overlay: Overlay | undefined): Pick<GuideState, 'list' | 'input'> {
	return overlay === state.overlay ? {list: state.list, input: state.input} : {list: 0, input: ''};
}

export function guideReducer(state: GuideState, action: GuideAction): GuideState {
	switch (action.type) {
		case 'show': {
			const focus = action.focus ?? state.focus;
			const same = action.view === state.view && focus === state.focus;
			if (same) return state;
			// The watch goes over the view it was opened from; closing it goes back there as it was.
			if (action.view === 'watch') return {...state, view: 'watch', back: state.view === 'watch' ? state.back : state.view, cursor: undefined};
			if (state.view === 'watch' && action.view === state.back && focus === state.focus) return {...state, view: action.view, back: undefined};
			return {...state, view: action.view, back: undefined, focus, scroll: 0, cursor: undefined, list: action.view === state.view ? state.list : 0};
		}
		case 'follow': {
			const view = action.main ? 'step' : 'fix';
			// The watch stays open over a step that starts: it is what comes back when it closes.
			if (state.view === 'watch') return {...state, back: view, focus: action.stepId, scroll: 0, message: undefined};
			// The fix view is one panel for all its follow-ups: a follow-up re-run where the operator scrolled to stays in sight.
			const same = view === state.view && (view === 'fix' || action.stepId === state.focus);
			// The step now runs on the log its overlay named: the overlay has done its job.
			const logDone = state.log?.stepId === action.stepId && inLog(state.overlay);
			return {
				...state,
				view,
				focus: action.stepId,
				scroll: same ? state.scroll : 0,
				// A row picked in a panel that is now another one (or whose rows are being replaced) is let go.
				cursor: same && view === 'fix' ? state.cursor : undefined,
				message: undefined,
				...(logDone ? {overlay: undefined, log: undefined, input: ''} : {}),
			};
		}
		case 'scroll':
			return {...state, scroll: Math.max(0, Math.min(action.max, state.scroll + action.by))};
		case 'scroll-to':
			return {...state, scroll: Math.max(0, action.line)};
		case 'overlay':
			// Leaving the log overlays forgets the command half-prepared there; its error line goes too.
			// Leaving the confirmation or the login forgets the action and the login typed.
			return {
				...state,
				...entering(state, action.overlay),
				overlay: action.overlay,
				log: inLog(action.overlay) ? state.log : undefined,
				act: action.overlay === 'act' ? state.act : undefined,
				login: action.overlay === 'password' ? state.login : undefined,
				message: inLog(state.overlay) && !inLog(action.overlay) ? undefined : state.message,
			};
		case 'confirm-action':
			// The confirmation reads from its top: the action, then each target with its SQL.
			return {...state, ...entering(state, 'act'), overlay: 'act', act: action.actionId, scroll: 0, message: undefined};
		case 'ask-password':
			return {...state, ...entering(state, 'password'), overlay: 'password', login: action.login, message: undefined};
		case 'log':
			return {...state, ...entering(state, action.overlay), overlay: action.overlay, log: action.log, message: undefined};
		case 'message':
			return {...state, message: {text: action.text, severity: action.severity}};
		case 'cursor':
			return {...state, cursor: action.cursor};
		case 'list':
			return {...state, list: action.index};
		case 'input':
			return {...state, input: noteInputReducer(state.input, action.edit)};
		case 'exported':
			return {...state, ...entering(state, 'export'), overlay: 'export', exported: {path: action.path, summary: action.summary}, message: undefined};
	}
}

/**
 * The guide state as an external store, like the session's: a burst of keys
 * is applied one after another, each to the state the one before it left
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
