import type {RunbookInput} from './schema.ts';

/** A problem found after the shape is valid: names that point nowhere, cycles. */
export interface GraphProblem {
	path: (string | number)[];
	message: string;
}

/** Where a branch may go besides a step or a fix. */
export const specialTargets = ['causes', 'end'] as const;

type Shape = {
	steps: {id: string; rules?: {id: string}[]; next?: {if: {finding?: string; step?: string}; goto: string}[]}[];
	causes: {id: string; fix: string; evidence?: {finding: string}[]}[];
	fixes?: {id: string; queries?: {id: string; rules?: {id: string}[]}[]}[];
};

/** Checks the references between steps, causes and fixes, and that branching cannot loop. */
export function checkGraph(input: RunbookInput): GraphProblem[] {
	const runbook = input as unknown as Shape;
	const problems: GraphProblem[] = [];
	const stepIds = runbook.steps.map(s => s.id);
	const fixIds = (runbook.fixes ?? []).map(f => f.id);

	reportDuplicates(stepIds, i => ['steps', i, 'id'], 'step', problems);
	reportDuplicates(fixIds, i => ['fixes', i, 'id'], 'fix', problems);
	reportDuplicates(runbook.causes.map(c => c.id), i => ['causes', i, 'id'], 'cause', problems);
	for (const [i, s] of runbook.steps.entries()) {
		if (fixIds.includes(s.id)) problems.push({path: ['steps', i, 'id'], message: `"${s.id}" is both a step and a fix`});
	}

	const findings = new Set<string>();
	for (const s of runbook.steps) for (const r of s.rules ?? []) findings.add(`${s.id}.${r.id}`);
	for (const f of runbook.fixes ?? [])
		for (const q of f.queries ?? []) for (const r of q.rules ?? []) findings.add(`${f.id}/${q.id}.${r.id}`);

	const targets = new Set<string>([...stepIds, ...fixIds, ...specialTargets]);
	for (const [i, s] of runbook.steps.entries()) {
		for (const [j, b] of (s.next ?? []).entries()) {
			if (!targets.has(b.goto))
				problems.push({path: ['steps', i, 'next', j, 'goto'], message: `unknown branch target "${b.goto}"`});
			if (b.if.finding && !findings.has(b.if.finding))
				problems.push({path: ['steps', i, 'next', j, 'if', 'finding'], message: `unknown finding "${b.if.finding}"`});
			if (b.if.step && !stepIds.includes(b.if.step))
				problems.push({path: ['steps', i, 'next', j, 'if', 'step'], message: `unknown step "${b.if.step}"`});
		}
	}
	for (const [i, c] of runbook.causes.entries()) {
		if (!fixIds.includes(c.fix)) problems.push({path: ['causes', i, 'fix'], message: `unknown fix "${c.fix}"`});
		for (const [j, e] of (c.evidence ?? []).entries())
			if (!findings.has(e.finding))
				problems.push({path: ['causes', i, 'evidence', j, 'finding'], message: `unknown finding "${e.finding}"`});
	}

	const cycle = findCycle(runbook.steps, stepIds);
	if (cycle) problems.push({path: ['steps', cycle.at, 'next'], message: `branching loops: ${cycle.ids.join(' → ')}`});
	return problems;
}

function reportDuplicates(
	ids: string[],
	pathOf: (index: number) => (string | number)[],
	what: string,
	problems: GraphProblem[],
) {
	const seen = new Set<string>();
	for (const [i, value] of ids.entries()) {
		if (seen.has(value)) problems.push({path: pathOf(i), message: `duplicate ${what} id "${value}"`});
		seen.add(value);
	}
}

/** Depth-first search over "falls through to the following step" and every branch. */
function findCycle(steps: Shape['steps'], stepIds: string[]): {at: number; ids: string[]} | undefined {
	const edges = new Map<string, string[]>();
	for (const [i, s] of steps.entries()) {
		const out = (s.next ?? []).map(b => b.goto).filter(t => stepIds.includes(t));
		const following = steps[i + 1];
		if (following) out.push(following.id);
		edges.set(s.id, out);
	}
	const state = new Map<string, 'open' | 'done'>();
	const trail: string[] = [];
	const visit = (node: string): string[] | undefined => {
		state.set(node, 'open');
		trail.push(node);
		for (const to of edges.get(node) ?? []) {
			if (state.get(to) === 'open') return [...trail.slice(trail.indexOf(to)), to];
			if (!state.has(to)) {
				const found = visit(to);
				if (found) return found;
			}
		}
		trail.pop();
		state.set(node, 'done');
		return undefined;
	};
	for (const id of stepIds) {
		if (state.has(id)) continue;
		const ids = visit(id);
		if (ids) return {at: stepIds.indexOf(ids[ids.length - 2]!), ids};
	}
	return undefined;
}
