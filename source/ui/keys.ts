import {nextMove} from '../engine/next.ts';
import type {RunState} from '../engine/types.ts';
import {logTarget} from '../session/log-input.ts';
import type {SessionState} from '../session/store.ts';
import type {GuideState} from './use-guide-state.ts';
import {targetStep} from './use-guide-actions.ts';

/* The keys that work right now, for the footer (and the help lists them all).
 * One function, so what the footer promises is what the keyboard hook does. */

export interface KeyHint {
	key: string;
	label: string;
}

/** What the guide can do beyond the runbook here: read a log named at run time, ask the quiz; and the steps on screen. */
export interface KeyExtras {
	logInput?: boolean;
	quiz?: boolean;
	onScreen?: readonly string[];
}

function enterLabel(run: RunState, quizOpen: boolean): string {
	const move = nextMove(run);
	switch (move.kind) {
		case 'step':
			return `run ${run.steps[move.stepId]?.status === 'running' ? 'again' : 'next'}: ${move.stepId}`;
		case 'fix':
			return `open fix ${move.fixId}`;
		case 'choose-fix':
			return 'see the causes';
		case 'end':
			if (quizOpen) return 'name the cause';
			return run.finishedAt ? 'done' : 'finish';
	}
}

export function availableKeys(session: SessionState, guide: GuideState, extras: KeyExtras = {}): KeyHint[] {
	const {run, running, reveal} = session;
	if (guide.overlay === 'note') return [{key: 'Enter', label: 'save note'}, {key: 'Esc', label: 'cancel'}];
	if (guide.overlay === 'log-path') return [{key: 'Enter', label: 'read this log'}, {key: 'Esc', label: 'cancel'}];
	if (guide.overlay === 'log-value') return [{key: 'Enter', label: 'show the command'}, {key: 'Esc', label: 'cancel'}];
	if (guide.overlay === 'log-command') return [{key: '↑↓ Enter', label: 'pick a command'}, {key: 'Esc', label: 'cancel'}];
	if (guide.overlay === 'log-confirm') return [{key: 'y', label: 'run it'}, {key: 'n/Esc', label: 'do not run'}];
	if (guide.overlay === 'quiz') return [{key: '↑↓ Enter', label: 'answer'}, {key: 'Esc', label: 'not yet'}];
	if (guide.overlay === 'quit')
		return [{key: 'e', label: 'export, then quit'}, {key: 'q', label: 'quit anyway'}, {key: 'Esc', label: 'stay'}];
	if (guide.overlay === 'help') return [{key: 'Esc/?', label: 'close help'}, {key: 'q', label: 'quit'}];
	const keys: KeyHint[] = [];
	if (running) keys.push({key: '', label: `running ${running}…`});
	else if (guide.view === 'causes') keys.push({key: '↑↓ Enter', label: 'choose the fix'}, {key: 'Esc', label: 'steps'});
	else if (guide.view === 'quiz') keys.push({key: 'Esc', label: 'steps'});
	else {
		const quizOpen = Boolean(extras.quiz && !reveal);
		if (!run.finishedAt || quizOpen) keys.push({key: 'Enter', label: enterLabel(run, quizOpen)});
		keys.push({key: '↑↓', label: 'step'});
	}
	const target = targetStep(run, guide, extras.onScreen);
	const step = target ? run.steps[target] : undefined;
	if (!running && guide.view !== 'causes') {
		if (step && step.status !== 'pending') keys.push({key: 'r', label: 're-run'});
		if (step?.status === 'manual' && !step.done) keys.push({key: 't', label: 'tick off'});
		const log = extras.logInput && guide.view === 'step' ? logTarget(run, target) : undefined;
		if (log) keys.push({key: 'l', label: 'log file'});
		if (log?.commands) keys.push({key: 'x', label: 'run a command'});
	}
	if (extras.quiz && guide.view !== 'quiz') keys.push({key: 'a', label: reveal ? 'the answer' : 'name the cause'});
	if (step && guide.view !== 'causes' && guide.view !== 'quiz') keys.push({key: 'n', label: 'note'});
	if (guide.view !== 'causes') keys.push({key: 'c', label: 'causes'});
	if (run.chosenFix && guide.view !== 'fix') keys.push({key: 'f', label: 'fix'});
	keys.push({key: 'PgUp/PgDn j/k', label: 'scroll'}, {key: 'e', label: 'export'}, {key: '?', label: 'help'}, {key: 'q', label: 'quit'});
	return keys;
}

/** Every key, for the help panel. */
export const allKeys: KeyHint[] = [
	{key: 'Enter', label: 'run the next step, or move on (causes, fix, end)'},
	{key: '↑ ↓', label: 'show another step (in the causes: pick a fix)'},
	{key: 'PgUp PgDn j k', label: 'scroll the panel'},
	{key: 'r', label: 're-run the step shown'},
	{key: 't or Space', label: 'tick off a manual step'},
	{key: 'n', label: 'add a note to the step shown (Enter saves, Esc cancels)'},
	{key: 'l', label: 'a log the tool could not read: type its path'},
	{key: 'x', label: 'the denokv log: run a command that prints it (docker, journalctl, kubectl…), shown first, run only on y'},
	{key: 'c', label: 'the ranked causes and the choice of fix'},
	{key: 'f', label: 'the chosen fix and its follow-up checks'},
	{key: 'a', label: 'drill quiz: name the cause (then the answer)'},
	{key: 'e', label: 'export the report'},
	{key: '?', label: 'this help'},
	{key: 'q', label: 'quit (asks when notes are not in a report yet)'},
	{key: 'Ctrl-C', label: 'stop now: journal kept, partial report written'},
];
