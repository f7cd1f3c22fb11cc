import {useReducer} from 'react';
import type {Severity} from '../engine/types.ts';

/* What the screen shows, apart from the run itself (which lives in the run store). */

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
	/** The step running now: the spinner shows only while this is set. */
	running?: string;
	message?: {text: string; severity: Severity};
	/** A note was saved after the last exported report. */
	unsavedNotes: boolean;
	/** The log step the log overlays act on, and the command being prepared for it. */
	log?: {stepId: string; commandId?: string; line?: string};
	/** Training mode: the reveal once the trainee named the cause. */
	reveal?: {correct: boolean; text: string};
}

export type GuideAction =
	| {type: 'show'; view: View; focus?: string}
	| {type: 'scroll'; by: number; max: number}
	| {type: 'overlay'; overlay?: Overlay}
	| {type: 'running'; stepId?: string}
	| {type: 'message'; text: string; severity: Severity}
	| {type: 'note-saved'}
	| {type: 'exported'}
	| {type: 'log'; overlay: 'log-path' | 'log-command' | 'log-value' | 'log-confirm'; log: NonNullable<GuideState['log']>}
	| {type: 'revealed'; correct: boolean; text: string};

export function guideReducer(state: GuideState, action: GuideAction): GuideState {
	switch (action.type) {
		case 'show': {
			const focus = action.focus ?? state.focus;
			const same = action.view === state.view && focus === state.focus;
			return {...state, view: action.view, focus, scroll: same ? state.scroll : 0};
		}
		case 'scroll':
			return {...state, scroll: Math.max(0, Math.min(action.max, state.scroll + action.by))};
		case 'overlay': {
			// Leaving the log overlays forgets the command half-prepared there; its error line goes too.
			const inLog = (o?: Overlay) => o?.startsWith('log-') ?? false;
			return {
				...state,
				overlay: action.overlay,
				log: inLog(action.overlay) ? state.log : undefined,
				message: inLog(state.overlay) && !inLog(action.overlay) ? undefined : state.message,
			};
		}
		case 'log':
			return {...state, overlay: action.overlay, log: action.log, message: undefined};
		case 'revealed':
			return {...state, overlay: undefined, view: 'quiz', scroll: 0, reveal: {correct: action.correct, text: action.text}, unsavedNotes: true};
		case 'running':
			return {...state, running: action.stepId, message: action.stepId ? undefined : state.message};
		case 'message':
			return {...state, message: {text: action.text, severity: action.severity}};
		case 'note-saved':
			return {...state, unsavedNotes: true, overlay: undefined};
		case 'exported':
			return {...state, unsavedNotes: false};
	}
}

export function useGuideState(initial: GuideState) {
	return useReducer(guideReducer, initial);
}
