import type {Runbook, RunnableStep} from '../runbook/schema.ts';

/** Finds a main step by id, or a fix's follow-up by `fix-id/query-id`. */
export function findStep(runbook: Runbook, id: string): {step: RunnableStep; main: boolean} | undefined {
	const main = runbook.steps.find(s => s.id === id);
	if (main) return {step: main, main: true};
	const [fixId, queryId] = id.split('/');
	const query = runbook.fixes.find(f => f.id === fixId)?.queries.find(q => q.id === queryId);
	return query ? {step: query as RunnableStep, main: false} : undefined;
}
