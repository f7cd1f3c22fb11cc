import {defaultCaptureLimits, type CaptureLimits} from '../checks/capture-command.ts';
import {logFileProblem} from '../checks/check-log-file.ts';
import type {Executor} from '../checks/executor.ts';
import type {QuizChoice, QuizHook, QuizReveal} from '../drill/quiz.ts';
import type {DrillCause} from '../drill/scenarios.ts';
import {nextMove} from '../engine/next.ts';
import {findStep} from '../engine/steps.ts';
import type {NextMove, RunState, SessionEnding, StepOutcome} from '../engine/types.ts';
import {toolVersion} from '../version.ts';
import {captureLog, expandHome, logTarget, readingCaptured} from './log-input.ts';
import {osOperator} from './operator.ts';
import {createSessionStore, type EventSink, type SessionEventListener, type SessionState} from './store.ts';
import {createWatchControl} from './watch-control.ts';

/* The controller of one diagnosis session. Both faces drive it: the TUI sends
 * the operator's intents and renders getState(); `pg500 run` calls runToEnd().
 * Each intent checks that it may act now (one step at a time), turns what
 * happens into events — through the reducer and the journal, so a resume or a
 * report replays them — and holds `running` while the executor works. An
 * intent's promise settles when its work is done; a one-line problem comes
 * back when nothing could be done, for the face to show. No React, no Ink. */

/** A report written: where, in which format, and the summary for the incident channel that names the place. */
export interface ExportedReport {
	path: string;
	format: string;
	summary?: string[];
}

export interface SessionSetup {
	/** Where the session stands: initialState(runbook) for a new one, a replayed journal for a resumed one. */
	state: RunState;
	executor: Executor;
	/** Every event as it happens (the journal); `pg500 run` keeps none. */
	journal?: EventSink;
	/** A journal write failed: the session goes on and the face says so. Without it, the failure ends the intent that caused it. */
	onJournalError?(error: unknown): void;
	/** Writes the report of a state; says where and in which format. */
	exportReport?(state: RunState): Promise<ExportedReport>;
	/** Where exportReport writes when the report's own place cannot take it (a full disk). */
	reportFallbackDir?: string;
	/** Training mode (`pg500 demo --quiz`): the choices and the judge; the drill stays hidden in it. */
	quiz?: QuizHook;
	/** How long and how much of a log command's output is read. */
	captureLimits?: CaptureLimits;
	/** Who drives the session (OS user@host); default: this process's user and host. */
	operator?: string;
}

export interface SessionController {
	getState(): SessionState;
	subscribe(listener: () => void): () => void;
	/** Every event as it happens (a face follows the step that started). */
	onEvent(listener: SessionEventListener): () => void;
	/** The executor can read a log named now (a typed path, a command's output). */
	readonly logInput: boolean;
	readonly captureLimits: CaptureLimits;
	/** Training mode: what the trainee can answer. */
	readonly quizChoices?: readonly QuizChoice[];
	/** Where `e` writes when the report's own place cannot take it. */
	readonly reportFallbackDir?: string;

	/** A new session: the run-started event (tool, target, runbook, who and where). */
	start(): void;
	/**
	 * The operator's "go on": the next step, or the chosen fix's remaining
	 * follow-ups; opens the fix the runbook leads to; at the end, finishes the
	 * run. Stops where a person must decide (`choose-fix`). Resolves with the
	 * move made, or undefined when a step is already running.
	 */
	runNext(): Promise<NextMove | undefined>;
	/** Without a person (`pg500 run`): the recommended path, the recommended fix and its follow-ups, the end. */
	runToEnd(): Promise<RunState>;
	/** Runs a step that has run before (or was skipped) again. */
	rerun(stepId: string): Promise<void>;
	/** Resume: the steps that were running when the session stopped, again. */
	rerunInterrupted(): Promise<void>;
	/** The operator's choice of fix; its follow-up checks run at once. */
	chooseFix(fixId: string): Promise<void>;
	runFollowUps(): Promise<void>;
	/** A manual step done. */
	tick(stepId: string): void;
	setNote(stepId: string, text: string): void;
	/** Rejects when the report cannot be written. */
	exportReport(): Promise<ExportedReport>;
	/** A log file for a log step the tool could not read: runs the step on it, or says why it cannot be read. */
	setLogPath(stepId: string, path: string): Promise<string | undefined>;
	/** A command line the operator confirmed: its output is read as the step's log, or the reason nothing was read. */
	runLogCommand(stepId: string, line: string): Promise<string | undefined>;
	/** Training mode: judges the answer once; the result becomes a note. */
	answerQuiz(answer: DrillCause): QuizReveal | undefined;
	/** The session has a live target to watch. */
	readonly watchable: boolean;
	/**
	 * Opens the live watch (`w`): a sample now, then one every interval (2 s by
	 * default), each journaled; resolves once the first is in, or with why it cannot.
	 */
	startWatch(intervalSeconds?: number): Promise<string | undefined>;
	/** Closes the live watch: no more samples (and no queries) until it opens again. */
	stopWatch(): Promise<void>;
	/** One watch sample now, while the watch is open. */
	sampleWatch(): Promise<void>;
	/** The face ended the session (`q`, Ctrl-C, a signal, its terminal gone): the watch closed, how, in the journal, before the partial report. */
	end(how: SessionEnding): void;
	/** After the face shut down: events still in flight are dropped, the watch stops. */
	close(): void;
}

const now = (): string => new Date().toISOString();
const noEffect: StepOutcome = {rows: [], rowCount: 0};

export function createSession(setup: SessionSetup): SessionController {
	const {executor, quiz} = setup;
	const operator = setup.operator ?? osOperator();
	const captureLimits = setup.captureLimits ?? defaultCaptureLimits;
	const store = createSessionStore(
		setup.state,
		setup.journal,
		setup.onJournalError ??
			(error => {
				throw error;
			}),
	);
	const run = () => store.getState().run;
	const busy = () => store.getState().running !== undefined;
	const watch = createWatchControl(store, executor);

	/** Marks `stepId` as running while `work` runs: the spinner shows, no other step starts. */
	const hold = async <T>(stepId: string, work: () => Promise<T>): Promise<T> => {
		store.setRunning(stepId);
		try {
			return await work();
		} finally {
			store.setRunning(undefined);
		}
	};

	/** Runs one step (or fix follow-up) through the executor, dispatching its start and its outcome. */
	const perform = async (stepId: string, via: Executor) => {
		const def = findStep(run().runbook, stepId);
		if (!def) throw new Error(`no step "${stepId}" in the runbook`);
		const started = store.dispatch({type: 'step-started', at: now(), stepId});
		const t0 = performance.now();
		const byHand = def.step.kind === 'manual' || def.step.kind === 'info';
		const outcome = byHand ? noEffect : await via.run(def.step, stepId, started);
		const durationMs = Math.round(performance.now() - t0);
		const finished = store.dispatch({type: 'step-finished', at: now(), stepId, durationMs, outcome});
		// Judged against the state, not the executor: a resumed session reconnects to a server it already knows.
		const version = executor.serverVersion() ?? undefined;
		const pooler = executor.pooler?.() ?? undefined;
		const newVersion = version !== undefined && version !== finished.target?.serverVersion;
		const newPooler = pooler !== undefined && pooler !== finished.target?.pooler;
		if (newVersion || newPooler)
			store.dispatch({type: 'target-identified', at: now(), ...(newVersion && {serverVersion: version}), ...(newPooler && {pooler})});
	};

	/** A step run for the operator: an unexpected failure is the step's error, and the session goes on. */
	const runStep = (stepId: string, via: Executor = executor) =>
		hold(stepId, async () => {
			try {
				await perform(stepId, via);
			} catch (error) {
				// The executor reports expected failures as outcomes; anything else
				// still must not end the session: the step shows why.
				store.dispatch({
					type: 'step-finished',
					at: now(),
					stepId,
					durationMs: 0,
					outcome: {rows: [], rowCount: 0, error: {message: (error as Error).message ?? String(error), hint: 'an internal error of pg500; press r to try again or go on with Enter'}},
				});
			}
		});

	/** `pg500 run` has no one to retry a step: an internal error ends the run (exit 3). */
	const runStepStrictly = (stepId: string) => hold(stepId, () => perform(stepId, executor));

	/** Runs steps while the runbook's next move is a step: the chosen fix's follow-ups, or (`run`) every step on the way. */
	const runSteps = async (step: (stepId: string) => Promise<void>): Promise<NextMove> => {
		for (;;) {
			const move = nextMove(run());
			if (move.kind !== 'step') return move;
			await step(move.stepId);
		}
	};

	const choose = (fixId: string, by: 'operator' | 'auto') => store.dispatch({type: 'fix-chosen', at: now(), fixId, by});
	const finish = () => {
		if (!run().finishedAt) store.dispatch({type: 'run-finished', at: now()});
		return run();
	};
	const followUps = async () => {
		if (run().chosenFix) await runSteps(runStep);
	};

	const logStep = (stepId: string) => (executor.setLogPath && !busy() ? logTarget(run(), stepId) : undefined);

	return {
		getState: store.getState,
		subscribe: store.subscribe,
		onEvent: store.onEvent,
		logInput: Boolean(executor.setLogPath),
		captureLimits,
		quizChoices: quiz?.choices,
		reportFallbackDir: setup.reportFallbackDir,

		start() {
			store.dispatch({type: 'run-started', at: now(), tool: {name: 'pg500', version: toolVersion}, target: executor.target, runbookPath: run().runbook.path, operator});
		},

		async runNext() {
			if (busy()) return undefined;
			const move = nextMove(run());
			switch (move.kind) {
				case 'step':
					await (run().chosenFix ? followUps() : runStep(move.stepId));
					break;
				case 'fix':
					choose(move.fixId, 'operator');
					await followUps();
					break;
				case 'choose-fix':
					break;
				case 'end':
					finish();
			}
			return move;
		},

		async runToEnd() {
			// Every move starts a pending step, chooses a fix once or ends the run: bounded by the step count.
			for (;;) {
				const move = await runSteps(runStepStrictly);
				if (move.kind === 'fix') choose(move.fixId, 'auto');
				else if (move.kind === 'choose-fix' && move.recommended) choose(move.recommended, 'auto');
				else return finish();
			}
		},

		async rerun(stepId) {
			const status = run().steps[stepId]?.status;
			if (!busy() && status && status !== 'pending') await runStep(stepId);
		},

		async rerunInterrupted() {
			if (busy()) return;
			const interrupted = Object.values(run().steps).filter(s => s.status === 'running').map(s => s.id);
			for (const id of interrupted) await runStep(id);
		},

		async chooseFix(fixId) {
			if (busy()) return;
			choose(fixId, 'operator');
			await followUps();
		},

		async runFollowUps() {
			if (!busy()) await followUps();
		},

		tick(stepId) {
			const step = run().steps[stepId];
			if (step?.status === 'manual' && !step.done) store.dispatch({type: 'manual-done', at: now(), stepId});
		},

		setNote(stepId, text) {
			if (run().steps[stepId]) store.dispatch({type: 'note-set', at: now(), stepId, text: text.trim()});
		},

		async exportReport() {
			if (!setup.exportReport) throw new Error('this session writes no report');
			const exported = await setup.exportReport(run());
			store.dispatch({type: 'report-exported', at: now(), path: exported.path, format: exported.format});
			return exported;
		},

		async setLogPath(stepId, typed) {
			const target = logStep(stepId);
			if (!target) return undefined;
			const path = expandHome(typed.trim());
			const problem = await logFileProblem(path);
			if (problem) return problem;
			executor.setLogPath!(target.source, path);
			await runStep(stepId);
			return undefined;
		},

		async runLogCommand(stepId, line) {
			const target = logStep(stepId);
			if (!target) return undefined;
			const captured = await hold(stepId, () => captureLog(line, captureLimits));
			if ('problem' in captured) return captured.problem;
			try {
				executor.setLogPath!(target.source, captured.path);
				await runStep(stepId, readingCaptured(executor, captured));
			} finally {
				// The output was read; it must not outlive the step (it can hold anything the service logged).
				executor.setLogPath!(target.source, undefined);
				await captured.remove();
			}
			return undefined;
		},

		answerQuiz(answer) {
			if (!quiz || store.getState().reveal) return undefined;
			const reveal = quiz.reveal(run(), answer);
			// The result is a note: it reaches the journal at once and the report with the rest.
			store.dispatch(reveal.event);
			store.setReveal({correct: reveal.correct, text: reveal.text});
			return reveal;
		},

		watchable: watch.available,
		startWatch: interval => watch.start(interval),
		stopWatch: () => watch.stop(),
		sampleWatch: () => watch.sample(),

		end(how) {
			watch.close();
			store.dispatch({type: 'session-ended', at: now(), how});
		},

		close() {
			watch.close();
			store.close();
		},
	};
}
