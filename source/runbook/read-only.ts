import {sideEffects, type SqlProblem} from '../sql/side-effects.ts';

/* Which SQL of a runbook must only read: everything pg500 runs on its own —
 * the steps' queries and the fixes' follow-up checks. This list is the one
 * place that decides it: SQL a person confirms before it runs (a fix's
 * actions) is acting by design and is simply not listed here. */

type SqlPath = (string | number)[];
type Query = string | {sql: string}[];
type Shape = {steps: {query?: Query}[]; fixes?: {queries?: {query?: Query}[]}[]};

/** Each SQL text pg500 runs without asking, with its path in the runbook. */
export function unattendedSql(input: unknown): {path: SqlPath; sql: string}[] {
	const runbook = input as Shape;
	const out: {path: SqlPath; sql: string}[] = [];
	const add = (query: Query | undefined, path: SqlPath) => {
		if (typeof query === 'string') out.push({path, sql: query});
		else if (Array.isArray(query)) for (const [j, v] of query.entries()) out.push({path: [...path, j, 'sql'], sql: v.sql});
	};
	for (const [i, step] of runbook.steps.entries()) add(step.query, ['steps', i, 'query']);
	for (const [i, fix] of (runbook.fixes ?? []).entries())
		for (const [j, followUp] of (fix.queries ?? []).entries()) add(followUp.query, ['fixes', i, 'queries', j, 'query']);
	return out;
}

/** Every side effect in the SQL pg500 runs without asking: where (path, offset in that SQL) and what. */
export function readOnlyProblems(runbook: unknown): (SqlProblem & {path: SqlPath; sql: string})[] {
	return unattendedSql(runbook).flatMap(({path, sql}) => sideEffects(sql).map(problem => ({...problem, path, sql})));
}
