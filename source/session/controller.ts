import {defaultCaptureLimits, type CaptureLimits} from '../checks/capture-command.ts';
import {logFileProblem} from '../checks/check-log-file.ts';
import type {Executor} from '../checks/executor.ts';
import type {QuizChoice, QuizHook, QuizReveal} from '../drill/quiz.ts';
import type {DrillCause} from '../drill/scenarios.ts';
import {decidePermissions, planActions, rolesOfTargets} from '../engine/actions.ts';
import {rankedCauses} from '../engine/causes.ts';
import {nextMove} from '../engine/next.ts';
import {findStep} from '../engine/steps.ts';
import type {ActionRecord, NextMove, Observation, RunState, SessionEnding, StepOutcome, Verification} from '../engine/types.ts';
import {causeOfFix, stepsToVerify} from '../engine/verification.ts';
import {toolVersion} from '../version.ts';
import {captureLog, expandHome, logTarget, readingCaptured} from './log-input.ts';
import {osOperator} from './operator.ts';
import {createSessionStore, type EventSink, type SessionEventListener, type SessionState} from './store.ts';
import {createWatchControl} from './watch-control.ts';
import {sameTarget} from '../engine/lookup.ts';

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
	/** Who drives the session and answers the confirmations (OS user@host); default: this process's user and host. */
	operator?: string;
	/** A drill's lesson: how to act on its fault and watch it clear (`pg500 demo`). */
	practice?: string;
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
	/** A drill's lesson for the fix view: how to act and watch it clear. */
	readonly practice?: string;
	/** Whether the connected role can be switched (a superuser through the reserved slots). */
	readonly canReconnect: boolean;

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
	/** Ends the run without a fix: nothing in the database explains the errors (the verdict says where to look next). */
	finish(): void;
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
	/**
	 * The operator's answer at an action's confirmation: `yes` runs it on each
	 * target it is offered for (each in its own transaction, each guarded) and
	 * then verifies; anything else is recorded as refused and changes nothing.
	 * Resolves with the records, or undefined when nothing could be answered.
	 */
	act(actionId: string, answer: string): Promise<ActionRecord[] | undefined>;
	/** Runs the chosen cause's evidence steps again and records each figure before → after. */
	verify(): Promise<Verification | undefined>;
	/**
	 * Connects as another role (a name) or target (a URL): a superuser through
	 * the reserved slots of a full server, the owner of a database. The
	 * password is used, never kept. Then runs again what could not run.
	 * Resolves with why not, or undefined.
	 */
	reconnect(login: string, password?: string): Promise<string | undefined>;
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
	const performSafely = async (stepId: string, via: Executor = executor) => {
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
	};
	const runStep = (stepId: string, via: Executor = executor) => hold(stepId, () => performSafely(stepId, via));

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
	/**
	 * Which targets of the chosen fix's actions the connected role may act
	 * on, read before any is offered (a role without pg_signal_backend is not
	 * offered to end a session; it is told the GRANT). Only when there are
	 * targets; `held`: the caller already marks the session busy.
	 */
	const checkActions = async (held = false) => {
		const fixId = run().chosenFix?.id;
		if (!fixId || !executor.privileges) return;
		const plans = planActions(run(), fixId);
		if (plans.every(p => p.targets.length === 0)) return;
		const read = async () => {
			const facts = await executor.privileges!(rolesOfTargets(plans));
			const permissions =
				'problem' in facts
					? plans.flatMap(p => p.targets.map(t => ({actionId: p.id, target: t.key, allowed: false, reason: `pg500 could not read its privileges: ${facts.problem}`})))
					: decidePermissions(plans, facts);
			store.dispatch({type: 'actions-checked', at: now(), fixId, permissions});
		};
		await (held ? read() : hold(fixId, read));
	};
	const followUps = async () => {
		if (!run().chosenFix) return;
		await runSteps(runStep);
		await checkActions();
	};

	/** The chosen cause's evidence, looked at again: observations, never the diagnosis. */
	const verifyNow = async () => {
		const fixId = run().chosenFix?.id;
		if (!fixId) return undefined;
		const causeId = causeOfFix(run(), fixId, rankedCauses(run()));
		if (!causeId) return undefined;
		const observations: Observation[] = [];
		for (const stepId of stepsToVerify(run(), causeId)) {
			const def = findStep(run().runbook, stepId)!;
			const at = now();
			const t0 = performance.now();
			let outcome: StepOutcome;
			try {
				outcome = await executor.run(def.step, stepId, run(), {fresh: true});
			} catch (error) {
				outcome = {rows: [], rowCount: 0, error: {message: (error as Error).message ?? String(error)}};
			}
			observations.push({stepId, at, durationMs: Math.round(performance.now() - t0), outcome});
		}
		noteSwitch('the role the diagnosis used is let in again');
		store.dispatch({type: 'verified', at: now(), fixId, causeId, observations});
		return run().verifications.at(-1);
	};

	/** The executor connected as someone else than the state says: the journal learns it (never a password). */
	const noteSwitch = (why: string) => {
		const as = executor.connectedAs?.();
		const known = run().connectedAs ?? run().target;
		if (as && known && !sameTarget(as, known))
			store.dispatch({type: 'target-switched', at: now(), target: as, why});
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
		practice: setup.practice,
		canReconnect: Boolean(executor.reconnect),

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
			if (busy() || !status || status === 'pending') return;
			await runStep(stepId);
			// New rows are new targets for the fix's actions: their privileges are read before they are offered.
			await checkActions();
		},

		async rerunInterrupted() {
			if (busy()) return;
			const interrupted = Object.values(run().steps).filter(s => s.status === 'running').map(s => s.id);
			for (const id of interrupted) await runStep(id);
			// The chosen fix's actions are offered again only once this connection's privileges are read.
			await checkActions();
		},

		finish() {
			if (!busy()) finish();
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

		async act(actionId, answer) {
			const fixId = run().chosenFix?.id;
			if (busy() || !fixId) return undefined;
			const plan = planActions(run(), fixId).find(p => p.id === actionId);
			if (!plan) return undefined;
			const confirmedAt = now();
			const record = (target: (typeof plan.targets)[number], outcome: Pick<ActionRecord, 'status' | 'result' | 'error'>) => {
				store.dispatch({type: 'action-taken', at: now(), actionId, fixId, title: plan.title, sql: target.sql ?? '', target: target.identity, operator, confirmedAt, ...outcome});
				return run().actions.at(-1)!;
			};
			if (answer.trim() !== 'yes')
				return (plan.ready.length > 0 ? plan.ready : plan.targets).map(t => record(t, {status: 'refused', result: 'not confirmed at the prompt: nothing was done', error: null}));
			if (!executor.act || plan.ready.length === 0) return undefined;
			return hold(`${fixId}/${actionId}`, async () => {
				const records: ActionRecord[] = [];
				for (const target of plan.ready) records.push(record(target, await executor.act!(plan.kind, target)));
				// Whether it worked is for the figures to say: the evidence, looked at again.
				if (records.some(r => r.status === 'done')) await verifyNow();
				return records;
			});
		},

		async verify() {
			if (busy() || !run().chosenFix) return undefined;
			return hold('verify', verifyNow);
		},

		async reconnect(login, password) {
			if (busy()) return undefined;
			if (!executor.reconnect) return 'this session cannot connect as another role';
			return hold('connect', async () => {
				const problem = await executor.reconnect!(login.trim(), password || undefined);
				if (problem) return problem;
				noteSwitch('the operator reconnected');
				const version = executor.serverVersion();
				if (version && version !== run().target?.serverVersion) store.dispatch({type: 'target-identified', at: now(), serverVersion: version});
				// What could not run without a connection runs now: the chosen fix's follow-ups.
				const fixId = run().chosenFix?.id;
				if (!fixId) return undefined;
				for (const step of Object.values(run().steps)) if (step.fixId === fixId && step.status === 'error') await performSafely(step.id);
				await checkActions(true);
				return undefined;
			});
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
