import {useMemo, type Dispatch} from 'react';
import type {DrillCause} from '../drill/scenarios.ts';
import type {RunState} from '../engine/types.ts';
import type {SessionController} from '../session/controller.ts';
import {logActions, type LogActions} from './log-actions.ts';
import type {GuideAction, GuideState} from './use-guide-state.ts';

/* What the keys, lists and inputs of the guide do: the session's intents,
 * sent to its controller, and what the screen shows next (the UI's own state).
 * Nothing here runs a step or writes a file itself. */

/** What the guide needs from the outside world; the command wires the real ones, tests too. */
export interface GuideEffects {
	session: SessionController;
	/** The operator is done (q, or Ctrl-C): the command tears down. */
	exit(reason: 'quit' | 'interrupt'): void;
	/** Puts text on the clipboard through the terminal (OSC 52). */
	clipboard(text: string): void;
}

export interface GuideActions {
	/** Enter: run the next step, or move on to the causes, the fix, the end. */
	next(): void;
	rerun(): void;
	chooseFix(fixId: string): void;
	tick(): void;
	saveNote(text: string): void;
	exportReport(): Promise<void>;
	/** After `e`: the summary of the report written, on the clipboard. */
	copySummary(): void;
	quit(force?: boolean): void;
	interrupt(): void;
	show(view: GuideState['view'], focus?: string): void;
	scroll(by: number, max: number): void;
	overlay(overlay?: GuideState['overlay']): void;
	/** A log the tool could not read: a path typed, or a confirmed command's output. */
	log: LogActions;
	/** `w`: opens the live watch over the view shown (sampling starts), or closes it (sampling stops). */
	watch(open: boolean): void;
	/** Quiz: ask for the cause, or show the reveal again once answered. */
	openQuiz(): void;
	answerQuiz(answer: DrillCause): void;
}

/** The ids of the steps with a line in the panel's window, those whose title shows first (line keys start with the step id). */
export function stepsOnScreen(keys: readonly string[]): string[] {
	const titles = keys.filter(k => k.endsWith(':title')).map(k => k.slice(0, -':title'.length));
	return [...new Set([...titles, ...keys.map(k => k.split(':')[0]!)])];
}

/**
 * The step a key like `r`, `t` or `n` acts on in the current view. In the fix
 * view, the follow-up on screen (`onScreen`, from stepsOnScreen), else the one
 * last run, else the first still to be done by hand.
 */
export function targetStep(run: RunState, guide: GuideState, onScreen: readonly string[] = []): string | undefined {
	if (guide.view === 'fix' && run.chosenFix) {
		const followUps = Object.values(run.steps).filter(s => s.fixId === run.chosenFix!.id);
		const shown = onScreen.find(id => followUps.some(s => s.id === id));
		if (shown) return shown;
		if (guide.focus && followUps.some(s => s.id === guide.focus)) return guide.focus;
		return followUps.find(s => s.status === 'manual' && !s.done)?.id ?? followUps.at(-1)?.id;
	}
	return guide.focus ?? run.visited.at(-1);
}

export function useGuideActions(effects: GuideEffects, getGuide: () => GuideState, getOnScreen: () => readonly string[], dispatchGuide: Dispatch<GuideAction>): GuideActions {
	return useMemo(() => {
		const {session} = effects;
		const target = () => targetStep(session.getState().run, getGuide(), getOnScreen());
		const message = (severity: 'info' | 'critical', text: string) => dispatchGuide({type: 'message', severity, text});

		return {
			next() {
				void session.runNext().then(move => {
					if (move?.kind === 'fix') dispatchGuide({type: 'show', view: 'fix'});
					else if (move?.kind === 'choose-fix') dispatchGuide({type: 'show', view: 'causes'});
					else if (move?.kind === 'end') {
						if (session.quizChoices && !session.getState().reveal) dispatchGuide({type: 'overlay', overlay: 'quiz'});
						else message('info', 'Runbook complete: e exports the report, q quits.');
					}
				});
			},
			rerun() {
				const stepId = target();
				if (stepId) void session.rerun(stepId);
			},
			chooseFix(fixId) {
				if (session.getState().running) return;
				dispatchGuide({type: 'show', view: 'fix'});
				void session.chooseFix(fixId);
			},
			tick() {
				const stepId = target();
				if (stepId) session.tick(stepId);
			},
			saveNote(text) {
				const stepId = target();
				if (!stepId) return;
				session.setNote(stepId, text);
				dispatchGuide({type: 'overlay'});
			},
			exportReport() {
				return session.exportReport().then(
					({path, summary}) => (summary ? dispatchGuide({type: 'exported', path, summary}) : message('info', `Report written to ${path}`)),
					(error: unknown) => message('critical', `Could not write the report: ${(error as Error).message ?? String(error)}`),
				);
			},
			copySummary() {
				const exported = getGuide().exported;
				if (!exported) return;
				effects.clipboard(`${exported.summary.join('\n')}\n`);
				message('info', `Summary sent to the clipboard (${exported.summary.length} lines). Nothing arrived? The terminal or tmux may not allow OSC 52.`);
			},
			quit(force = false) {
				if (!force && session.getState().unsavedNotes) dispatchGuide({type: 'overlay', overlay: 'quit'});
				else effects.exit('quit');
			},
			interrupt: () => effects.exit('interrupt'),
			show: (view, focus) => dispatchGuide({type: 'show', view, focus}),
			scroll: (by, max) => dispatchGuide({type: 'scroll', by, max}),
			overlay: overlay => dispatchGuide({type: 'overlay', overlay}),
			log: logActions(session, getGuide, dispatchGuide),
			watch(open) {
				if (!open) {
					dispatchGuide({type: 'show', view: getGuide().back ?? 'step'});
					void session.stopWatch();
					return;
				}
				dispatchGuide({type: 'show', view: 'watch'});
				void session.startWatch().then(problem => {
					if (problem) message('critical', problem);
				});
			},
			openQuiz() {
				const {running, reveal} = session.getState();
				if (!session.quizChoices || running) return;
				if (reveal) dispatchGuide({type: 'show', view: 'quiz'});
				else dispatchGuide({type: 'overlay', overlay: 'quiz'});
			},
			answerQuiz(answer) {
				if (!session.answerQuiz(answer)) return;
				dispatchGuide({type: 'overlay'});
				dispatchGuide({type: 'show', view: 'quiz'});
			},
		};
	}, [effects, getGuide, getOnScreen, dispatchGuide]);
}
