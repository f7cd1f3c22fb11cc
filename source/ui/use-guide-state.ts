import {useReducer} from 'react';
import type {Severity} from '../engine/types.ts';

/* What the screen shows, apart from the session itself (the session
 * controller's state: the run, the step running, the quiz's reveal). */

export type View = 'step' | 'causes' | 'fix' | 'quiz';
/**
 * Inputs over the panel. The log ones, for a log step the tool could not read:
 * `log-path` types a path; `log-command` picks a command, `log-value` fills in
 * its placeholder, `log-confirm` shows the exact line and runs it only on `y`.
 */
export type Overlay = 'help' | 'note' | 'quit' | 'log-path' | 'log-command' | 'log-value' | 'log-confirm' | 'quiz';

export interface GuideState {
	view: View;
	/** The step whose panel is shown (a main step or a fix follow-up). */
	focus?: string;
	scroll: number;
	overlay?: Overlay;
	message?: {text: string; severity: Severity};
	/** The log step the log overlays act on, and the command being prepared for it. */
	log?: {stepId: string; commandId?: string; line?: string};
}

export type GuideAction =
	| {type: 'show'; view: View; focus?: string}
	/** A step started: the screen goes to it (a main step's panel, or the fix for a follow-up). */
	| {type: 'follow'; stepId: string; main: boolean}
	| {type: 'scroll'; by: number; max: number}
	| {type: 'overlay'; overlay?: Overlay}
	| {type: 'message'; text: string; severity: Severity}
	| {type: 'log'; overlay: 'log-path' | 'log-command' | 'log-value' | 'log-confirm'; log: NonNullable<GuideState['log']>};

const inLog = (o?: Overlay) => o?.startsWith('log-') ?? false;

export function guideReducer(state: GuideState, action: GuideAction): GuideState {
	switch (action.type) {
		case 'show': {
			const focus = action.focus ?? state.focus;
			const same = action.view === state.view && focus === state.focus;
			return {...state, view: action.view, focus, scroll: same ? state.scroll : 0};
		}
		case 'follow': {
			const view = action.main ? 'step' : 'fix';
			// The fix view is one panel for all its follow-ups: a follow-up re-run where the operator scrolled to stays in sight.
			const same = view === state.view && (view === 'fix' || action.stepId === state.focus);
			// The step now runs on the log its overlay named: the overlay has done its job.
			const logDone = state.log?.stepId === action.stepId && inLog(state.overlay);
			return {
				...state,
				view,
				focus: action.stepId,
				scroll: same ? state.scroll : 0,
				message: undefined,
				...(logDone ? {overlay: undefined, log: undefined} : {}),
			};
		}
		case 'scroll':
			return {...state, scroll: Math.max(0, Math.min(action.max, state.scroll + action.by))};
		case 'overlay': {
			// Leaving the log overlays forgets the command half-prepared there; its error line goes too.
			return {
				...state,
				overlay: action.overlay,
				log: inLog(action.overlay) ? state.log : undefined,
				message: inLog(state.overlay) && !inLog(action.overlay) ? undefined : state.message,
			};
		}
		case 'log':
			return {...state, overlay: action.overlay, log: action.log, message: undefined};
		case 'message':
			return {...state, message: {text: action.text, severity: action.severity}};
	}
}

export function useGuideState(initial: GuideState) {
	return useReducer(guideReducer, initial);
}
