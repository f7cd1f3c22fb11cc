import type {Runbook, RunnableStep} from '../runbook/schema.ts';
import type {RunState} from './types.ts';

/** Finds a main step by id, or a fix's follow-up by `fix-id/query-id`. */
export function findStep(runbook: Runbook, id: string): {step: RunnableStep; main: boolean} | undefined {
	const main = runbook.steps.find(s => s.id === id);
	if (main) return {step: main, main: true};
	const [fixId, queryId] = id.split('/');
	const query = runbook.fixes.find(f => f.id === fixId)?.queries.find(q => q.id === queryId);
	return query ? {step: query as RunnableStep, main: false} : undefined;
}

/**
 * Where the run is: the furthest main step started, in runbook order. Branches
 * only go forward, so this is the last step of the path taken, even after the
 * operator goes back to run a skipped or earlier step.
 */
export function position(state: RunState): string | undefined {
	const ids = state.runbook.steps.map(s => s.id);
	let furthest: string | undefined;
	for (const id of state.visited) if (furthest === undefined || ids.indexOf(id) > ids.indexOf(furthest)) furthest = id;
	return furthest;
}
