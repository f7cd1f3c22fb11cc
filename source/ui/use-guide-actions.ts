import {useMemo, type Dispatch} from 'react';
import type {DrillCause} from '../drill/scenarios.ts';
import {planActions} from '../engine/actions.ts';
import {nextMove} from '../engine/next.ts';
import type {RunState, Verification} from '../engine/types.ts';
import type {SessionController} from '../session/controller.ts';
import {logActions, type LogActions} from './log-actions.ts';
import type {GuideAction, GuideState} from './use-guide-state.ts';
import {figureChange} from '../engine/verification.ts';

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
	/** A digit in the fix view: that action's confirmation, or why it is not offered. */
	openAction(number: number): void;
	/** The answer typed at the confirmation: yes runs it (then a verification); anything else is recorded as refused. */
	answerAction(text: string): void;
	/** v: the chosen cause's evidence, looked at again. */
	verify(): void;
	/** u: the role or URL to reconnect as; then its password, hidden. */
	askLogin(): void;
	askPassword(login: string): void;
	reconnect(password: string): void;
	/** No fix: nothing in the database explains the errors; the run ends and says where to look. */
	finish(): void;
}

/** What a verification says on the message line. */
function verificationMessage(v: Verification): {text: string; severity: 'info' | 'warning'} {
	const figures = v.figures.map(f => `${f.name} ${figureChange(f)}`).join('; ');
	return v.cleared
		? {text: `Cleared: ${figures || 'every figure is normal'}.`, severity: 'info'}
		: {text: `Not cleared: ${figures || v.notes[0] || 'nothing could be compared'}.`, severity: 'warning'};
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
		const message = (severity: 'info' | 'warning' | 'critical', text: string) => dispatchGuide({type: 'message', severity, text});
		/** After an action or a `v`: the verification at the top of the fix view, its verdict on the message line. */
		const showVerification = (v: Verification | undefined) => {
			if (!v) return;
			dispatchGuide({type: 'show', view: 'fix'});
			dispatchGuide({type: 'scroll-to', line: 0});
			const said = verificationMessage(v);
			message(said.severity, said.text);
		};

		return {
			next() {
				if (session.getState().running) return;
				// The move the controller is about to make, shown as soon as it is known rather than when its
				// checks are done: a key typed ahead after this Enter must find the view this Enter leads to
				// (the causes and the end need no check, so nothing would hold that key back).
				const move = nextMove(session.getState().run);
				void session.runNext();
				if (move.kind === 'fix') dispatchGuide({type: 'show', view: 'fix'});
				else if (move.kind === 'choose-fix') dispatchGuide({type: 'show', view: 'causes'});
				else if (move.kind === 'end') {
					// runNext ended the run before its first await.
					if (session.quizChoices && !session.getState().reveal) dispatchGuide({type: 'overlay', overlay: 'quiz'});
					else message('info', 'Runbook complete: e exports the report, q quits.');
				}
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
			openAction(number) {
				const run = session.getState().run;
				const plan = run.chosenFix ? planActions(run, run.chosenFix.id).find(p => p.number === number) : undefined;
				if (!plan) return;
				if (plan.ready.length > 0) return dispatchGuide({type: 'confirm-action', actionId: plan.id});
				message('warning', `${number}. ${plan.title}: not offered — ${plan.unavailable ?? 'nothing to act on'}${plan.grant ? `; a superuser can run: ${plan.grant}` : ''}`);
			},
			answerAction(text) {
				const actionId = getGuide().act;
				dispatchGuide({type: 'overlay'});
				if (!actionId) return;
				void session.act(actionId, text).then(records => {
					if (!records) return;
					if (records.every(r => r.status === 'refused')) return message('info', 'Cancelled: nothing was done (the refusal is in the journal).');
					const done = records.filter(r => r.status === 'done').length;
					const v = session.getState().run.verifications.at(-1);
					const others = records.filter(r => r.status !== 'done').map(r => `${r.status}: ${r.result}`);
					if (done > 0 && v) {
						showVerification(v);
						if (others.length === 0) return;
					}
					message(done > 0 ? 'warning' : 'critical', `${done} of ${records.length} done; ${others.join('; ')}`);
				});
			},
			verify() {
				void session.verify().then(showVerification);
			},
			askLogin: () => dispatchGuide({type: 'overlay', overlay: 'login'}),
			askPassword(login) {
				if (login.trim()) dispatchGuide({type: 'ask-password', login: login.trim()});
				else dispatchGuide({type: 'overlay'});
			},
			reconnect(password) {
				const login = getGuide().login;
				// The password leaves the screen's state with the overlay.
				dispatchGuide({type: 'overlay'});
				if (!login) return;
				void session.reconnect(login, password).then(problem => {
					if (problem) return message('critical', `Could not connect: ${problem}`);
					const as = session.getState().run.connectedAs;
					message('info', `Connected as ${as ? `${as.user}@${as.host}:${as.port}/${as.database}` : login}: the fix's checks ran again.`);
				});
			},
			finish() {
				session.finish();
				dispatchGuide({type: 'show', view: 'causes'});
				message('info', 'Finished without a fix: see where to look next; e exports the report.');
			},
		};
	}, [effects, getGuide, getOnScreen, dispatchGuide]);
}
