import {useMemo, type Dispatch} from 'react';
import {performStep, now} from '../checks/drive.ts';
import type {Executor} from '../checks/executor.ts';
import {nextMove} from '../engine/next.ts';
import {findStep} from '../engine/steps.ts';
import type {RunState} from '../engine/types.ts';
import type {QuizHook} from '../drill/quiz.ts';
import type {JournalWriter} from '../journal/write.ts';
import type {DrillCause} from '../drill/scenarios.ts';
import {logActions, type LogActions} from './log-actions.ts';
import type {RunStore} from './run-store.ts';
import type {GuideAction, GuideState} from './use-guide-state.ts';

/** What the guide needs from the outside world; the command wires the real ones, tests too. */
export interface GuideEffects {
	store: RunStore;
	executor: Executor;
	/** Writes the report of the state as it is; says where and in which format. */
	exportReport(state: RunState): Promise<{path: string; format: string}>;
	/** The operator is done (q, or Ctrl-C): the command tears down. */
	exit(reason: 'quit' | 'interrupt'): void;
	/** Training mode (`pg500 demo --quiz`): the choices and the judge; the drill stays hidden in it. */
	quiz?: QuizHook;
	/** The journal's health, for the banner when its disk fails; `fallbackDir`: where `e` writes if the report's own place cannot take it. */
	journal?: Pick<JournalWriter, 'health' | 'onHealth'> & {fallbackDir: string};
}

export interface GuideActions {
	/** Enter: run the next step, or move on to the causes, the fix, the end. */
	next(): void;
	rerun(): void;
	chooseFix(fixId: string): void;
	tick(): void;
	saveNote(text: string): void;
	exportReport(): Promise<void>;
	quit(force?: boolean): void;
	interrupt(): void;
	show(view: GuideState['view'], focus?: string): void;
	scroll(by: number, max: number): void;
	overlay(overlay?: GuideState['overlay']): void;
	/** Steps interrupted mid-flight (resume): run them again. */
	rerunUnfinished(): void;
	/** A log the tool could not read: a path typed, or a confirmed command's output. */
	log: LogActions;
	/** Quiz: ask for the cause, or show the reveal again once answered. */
	openQuiz(): void;
	answerQuiz(answer: DrillCause): void;
}

/** The step a key like `r`, `t` or `n` acts on in the current view. */
export function targetStep(run: RunState, guide: GuideState): string | undefined {
	if (guide.view === 'fix' && run.chosenFix) {
		const followUps = Object.values(run.steps).filter(s => s.fixId === run.chosenFix!.id);
		if (guide.focus && followUps.some(s => s.id === guide.focus)) return guide.focus;
		return followUps.find(s => s.status === 'manual' && !s.done)?.id ?? followUps.at(-1)?.id;
	}
	return guide.focus ?? run.visited.at(-1);
}

export function useGuideActions(effects: GuideEffects, getGuide: () => GuideState, dispatchGuide: Dispatch<GuideAction>): GuideActions {
	return useMemo(() => {
		const {store, executor} = effects;
		// The guide state reaches the closure only on the next render; two quick
		// Enters must not start two steps, so the flag lives here.
		let inFlight = false;
		const busy = () => inFlight;

		const hold = (stepId: string) => {
			const main = findStep(store.get().runbook, stepId)?.main ?? false;
			dispatchGuide({type: 'show', view: main ? 'step' : 'fix', focus: stepId});
			dispatchGuide({type: 'running', stepId});
			inFlight = true;
			return () => {
				inFlight = false;
				dispatchGuide({type: 'running'});
			};
		};

		const runStep = async (stepId: string, via: Executor = executor) => {
			const release = hold(stepId);
			try {
				await performStep(stepId, store.get(), via, store.dispatch);
			} catch (error) {
				// The executor reports expected failures as outcomes; anything else
				// still must not end the session: the step shows why, the run goes on.
				store.dispatch({
					type: 'step-finished',
					at: now(),
					stepId,
					durationMs: 0,
					outcome: {rows: [], rowCount: 0, error: {message: (error as Error).message ?? String(error), hint: 'an internal error of pg500; press r to try again or go on with Enter'}},
				});
			} finally {
				release();
			}
		};

		/** Runs the chosen fix's follow-up checks one after another, live. */
		const runFollowUps = async () => {
			for (;;) {
				const move = nextMove(store.get());
				if (move.kind !== 'step') return;
				await runStep(move.stepId);
			}
		};

		const chooseFix = (fixId: string) => {
			if (busy()) return;
			store.dispatch({type: 'fix-chosen', at: now(), fixId, by: 'operator'});
			dispatchGuide({type: 'show', view: 'fix'});
			void runFollowUps();
		};

		const actions: GuideActions = {
			next() {
				if (busy()) return;
				const state = store.get();
				const move = nextMove(state);
				switch (move.kind) {
					case 'step':
						void (state.chosenFix ? runFollowUps() : runStep(move.stepId));
						return;
					case 'fix':
						chooseFix(move.fixId);
						return;
					case 'choose-fix':
						dispatchGuide({type: 'show', view: 'causes'});
						return;
					case 'end':
						if (!state.finishedAt) store.dispatch({type: 'run-finished', at: now()});
						if (effects.quiz && !getGuide().reveal) dispatchGuide({type: 'overlay', overlay: 'quiz'});
						else dispatchGuide({type: 'message', severity: 'info', text: 'Runbook complete: e exports the report, q quits.'});
				}
			},
			rerun() {
				const stepId = targetStep(store.get(), getGuide());
				if (!busy() && stepId && store.get().steps[stepId]?.status !== 'pending') void runStep(stepId);
			},
			chooseFix,
			tick() {
				const stepId = targetStep(store.get(), getGuide());
				const step = stepId ? store.get().steps[stepId] : undefined;
				if (step?.status === 'manual' && !step.done) store.dispatch({type: 'manual-done', at: now(), stepId: step.id});
			},
			saveNote(text) {
				const stepId = targetStep(store.get(), getGuide());
				if (!stepId) return;
				store.dispatch({type: 'note-set', at: now(), stepId, text: text.trim()});
				dispatchGuide({type: 'note-saved'});
			},
			exportReport() {
				return effects.exportReport(store.get()).then(
					({path, format}) => {
						store.dispatch({type: 'report-exported', at: now(), path, format});
						dispatchGuide({type: 'exported'});
						dispatchGuide({type: 'message', severity: 'info', text: `Report written to ${path}`});
					},
					(error: unknown) =>
						dispatchGuide({type: 'message', severity: 'critical', text: `Could not write the report: ${(error as Error).message ?? String(error)}`}),
				);
			},
			quit(force = false) {
				if (!force && getGuide().unsavedNotes) dispatchGuide({type: 'overlay', overlay: 'quit'});
				else effects.exit('quit');
			},
			interrupt: () => effects.exit('interrupt'),
			show: (view, focus) => dispatchGuide({type: 'show', view, focus}),
			scroll: (by, max) => dispatchGuide({type: 'scroll', by, max}),
			overlay: overlay => dispatchGuide({type: 'overlay', overlay}),
			log: logActions({executor, getRun: store.get, getGuide, dispatchGuide, busy, hold, runStep}),
			openQuiz() {
				if (!effects.quiz || busy()) return;
				if (getGuide().reveal) dispatchGuide({type: 'show', view: 'quiz'});
				else dispatchGuide({type: 'overlay', overlay: 'quiz'});
			},
			answerQuiz(answer) {
				if (!effects.quiz || getGuide().reveal) return;
				const reveal = effects.quiz.reveal(store.get(), answer);
				// The result is a note: it reaches the journal at once and the report with the rest.
				store.dispatch(reveal.event);
				dispatchGuide({type: 'revealed', correct: reveal.correct, text: reveal.text});
			},
			rerunUnfinished() {
				const unfinished = Object.values(store.get().steps).filter(s => s.status === 'running').map(s => s.id);
				void (async () => {
					for (const id of unfinished) await runStep(id);
				})();
			},
		};
		return actions;
	}, [effects, getGuide, dispatchGuide]);
}
