import assert from 'node:assert/strict';
import {runbookSchema, type Runbook, type RunbookInput} from '../../source/runbook/schema.ts';
import {checkGraph} from '../../source/runbook/graph.ts';
import {initialState, reduce} from '../../source/engine/reducer.ts';
import type {Row, RunEvent, RunState, StepOutcome} from '../../source/engine/types.ts';

type StepInput = RunbookInput['steps'][number];

/** A sql step with the given id and whatever else the test needs. */
export function sqlStep(id: string, extra: Partial<StepInput> = {}): StepInput {
	return {id, title: `Step ${id}`, why: 'because', kind: 'sql', query: 'select 1', ...extra};
}

/** A valid runbook: the parts a test gives, plus one cause and fix so that it loads. */
export function makeRunbook(parts: Partial<RunbookInput> & {steps: RunbookInput['steps']}): Runbook {
	const input: RunbookInput = {
		id: 'test',
		title: 'Test runbook',
		causes: [{id: 'only', title: 'Only cause', symptom: 's', check: 'c', fix: 'only-fix'}],
		fixes: [{id: 'only-fix', title: 'Only fix', summary: 'do it', actions: ['act']}],
		...parts,
	};
	const runbook = runbookSchema.parse(input);
	assert.deepEqual(checkGraph(input), [], 'the test runbook itself must be valid');
	return {...runbook, path: 'test.yaml'};
}

let clock = 0;
/** Distinct, increasing ISO times, so timeline entries can be told apart. */
export function at(): string {
	clock += 1;
	return new Date(Date.UTC(2026, 0, 1, 3, 0, clock)).toISOString();
}

export const started = (stepId: string): RunEvent => ({type: 'step-started', at: at(), stepId});
export const finished = (stepId: string, rows: Row[] = [], more: Partial<StepOutcome> = {}): RunEvent => ({
	type: 'step-finished',
	at: at(),
	stepId,
	durationMs: 7,
	outcome: {rows, rowCount: rows.length, ...more},
});

/** Runs a step through the reducer: started, then finished with these rows. */
export function runStep(state: RunState, stepId: string, rows: Row[] = [], more: Partial<StepOutcome> = {}): RunState {
	return reduce(reduce(state, started(stepId)), finished(stepId, rows, more));
}

export function play(runbook: Runbook, events: RunEvent[]): RunState {
	return events.reduce(reduce, initialState(runbook));
}
