import type {RunEvent, RunState, StepOutcome} from '../engine/types.ts';
import {findStep} from '../engine/steps.ts';
import {nextMove} from '../engine/next.ts';
import type {Executor} from './executor.ts';

/** Applies an event and returns the new state (the reducer, plus whatever else listens: the journal). */
export type Dispatch = (event: RunEvent) => RunState;

export const now = (): string => new Date().toISOString();

const noEffect: StepOutcome = {rows: [], rowCount: 0};

/** Runs one step (or fix follow-up) through the executor, dispatching its start and its outcome. */
export async function performStep(stepId: string, state: RunState, executor: Executor, dispatch: Dispatch): Promise<RunState> {
	const def = findStep(state.runbook, stepId);
	if (!def) throw new Error(`no step "${stepId}" in the runbook`);
	const started = dispatch({type: 'step-started', at: now(), stepId});
	const t0 = performance.now();
	const byHand = def.step.kind === 'manual' || def.step.kind === 'info';
	const outcome = byHand ? noEffect : await executor.run(def.step, stepId, started);
	const durationMs = Math.round(performance.now() - t0);
	let finished = dispatch({type: 'step-finished', at: now(), stepId, durationMs, outcome});
	const version = executor.serverVersion();
	// Judged against the state, not the executor: a resumed session reconnects to a server it already knows.
	if (version && version !== finished.target?.serverVersion) finished = dispatch({type: 'target-identified', at: now(), serverVersion: version});
	return finished;
}

/**
 * Runs the runbook without a person: every step the recommended path reaches,
 * the recommended fix and its follow-up checks, then the end.
 */
export async function driveHeadless(initial: RunState, executor: Executor, dispatch: Dispatch): Promise<RunState> {
	let state = initial;
	// Every move starts a pending step or ends the run, so the loop is bounded by the step count.
	for (;;) {
		const move = nextMove(state);
		switch (move.kind) {
			case 'step':
				state = await performStep(move.stepId, state, executor, dispatch);
				break;
			case 'fix':
				state = dispatch({type: 'fix-chosen', at: now(), fixId: move.fixId, by: 'auto'});
				break;
			case 'choose-fix':
				if (move.recommended) {
					state = dispatch({type: 'fix-chosen', at: now(), fixId: move.recommended, by: 'auto'});
					break;
				}
				return dispatch({type: 'run-finished', at: now()});
			case 'end':
				return dispatch({type: 'run-finished', at: now()});
		}
	}
}
