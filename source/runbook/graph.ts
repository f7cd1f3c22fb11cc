import {actionTargetColumn, executorFindings, isTargetRef, type ActionTarget, type RunbookInput} from './schema.ts';
import {maxActionsPerFix} from './names.ts';

/** A problem found after the shape is valid: names that point nowhere, cycles. */
export interface GraphProblem {
	path: (string | number)[];
	message: string;
}

/** Where a branch may go besides a step or a fix. */
export const specialTargets = ['causes', 'end'] as const;

type RuleShape = {id: string; message: string; brief?: string; figure?: {name: string}; critical?: unknown; warning?: unknown; info?: unknown};
type ActionShape = {id: string; title: string; finding: string; when?: unknown; target: ActionTarget; sql: string | {sql: string}[]; touches?: string};
type CommandShape = {title: string; run: string};
type Shape = {
	thresholds?: Record<string, number>;
	steps: {id: string; brief?: string; rules?: RuleShape[]; commands?: CommandShape[]; next?: {if: {finding?: string; step?: string}; goto: string}[]}[];
	causes: {id: string; fix: string; evidence?: {finding: string}[]}[];
	fixes?: {id: string; summary: string; actions: (string | ActionShape)[]; commands?: CommandShape[]; queries?: {id: string; brief?: string; rules?: RuleShape[]; commands?: CommandShape[]}[]}[];
	elsewhere?: string;
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

	for (const [i, s] of runbook.steps.entries())
		reportDuplicates((s.rules ?? []).map(r => r.id), j => ['steps', i, 'rules', j, 'id'], `rule (in step "${s.id}")`, problems);
	for (const [i, f] of (runbook.fixes ?? []).entries()) {
		const queries = f.queries ?? [];
		reportDuplicates(queries.map(q => q.id), j => ['fixes', i, 'queries', j, 'id'], `follow-up (in fix "${f.id}")`, problems);
		for (const [j, q] of queries.entries())
			reportDuplicates((q.rules ?? []).map(r => r.id), k => ['fixes', i, 'queries', j, 'rules', k, 'id'], `rule (in "${f.id}/${q.id}")`, problems);
	}

	const names: OperandNames = {thresholds: new Set(Object.keys(runbook.thresholds ?? {})), stepIds, seen: stepIds.length};
	for (const [i, s] of runbook.steps.entries()) {
		checkText(s.brief ?? '', ['steps', i, 'brief'], {...names, seen: i + 1}, problems);
		for (const [j, r] of (s.rules ?? []).entries()) checkOperands(r, ['steps', i, 'rules', j], {...names, seen: i + 1}, problems);
	}
	for (const [i, f] of (runbook.fixes ?? []).entries()) {
		for (const [j, q] of (f.queries ?? []).entries()) {
			checkText(q.brief ?? '', ['fixes', i, 'queries', j, 'brief'], names, problems);
			for (const [k, r] of (q.rules ?? []).entries())
				checkOperands(r, ['fixes', i, 'queries', j, 'rules', k], names, problems);
		}
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
			if (!findings.has(e.finding) && !anyStepFinding(e.finding, findings))
				problems.push({path: ['causes', i, 'evidence', j, 'finding'], message: `unknown finding "${e.finding}"`});
	}

	checkTexts(runbook, names, problems);
	checkActions(runbook, findings, names, problems);

	const cycle = findCycle(runbook.steps, stepIds);
	if (cycle) problems.push({path: cycle.path, message: `branching loops: ${cycle.ids.join(' → ')}`});
	return problems;
}

/** `*.rule-id`: a finding the executor itself makes on any step, or a rule id some step has. */
function anyStepFinding(ref: string, findings: Set<string>): boolean {
	if (!ref.startsWith('*.')) return false;
	const id = ref.slice(2);
	return (executorFindings as readonly string[]).includes(id) || [...findings].some(f => f.endsWith(`.${id}`));
}

/** What operands of a rule may name: the thresholds, and main steps up to `seen` (exclusive) for `@step.column`. */
interface OperandNames {
	thresholds: Set<string>;
	stepIds: string[];
	seen: number;
}

/**
 * A `$name` in a condition or `{$name}` in a message must name a threshold
 * (otherwise the run would stop on it), and `@step-id.column` a step that has
 * run by then (otherwise the comparison is silently never true).
 */
function checkOperands(rule: RuleShape, at: (string | number)[], names: OperandNames, problems: GraphProblem[]) {
	checkText(rule.message, [...at, 'message'], names, problems);
	checkText(rule.brief ?? '', [...at, 'brief'], names, problems);
	if (rule.figure) checkText(rule.figure.name, [...at, 'figure', 'name'], names, problems);
	const walk = (node: unknown, path: (string | number)[]) => {
		const literal = path.at(-1) === 'matches' || path.at(-1) === 'column';
		if (typeof node === 'string' && node.startsWith('$') && !literal) {
			if (!names.thresholds.has(node.slice(1))) problems.push({path, message: `unknown threshold "${node}"`});
		} else if (typeof node === 'string' && node.startsWith('@') && !literal) {
			checkSeen(node, path, names, problems);
		} else if (node !== null && typeof node === 'object') {
			for (const [key, value] of Object.entries(node)) walk(value, [...path, Array.isArray(node) ? Number(key) : key]);
		}
	};
	for (const level of ['critical', 'warning', 'info'] as const) if (rule[level] !== undefined) walk(rule[level], [...at, level]);
}

/** `@step-id.column` must name a step that has run by then; `@target.host|port|database|user` is always known. */
function checkSeen(ref: string, path: (string | number)[], names: OperandNames, problems: GraphProblem[]) {
	const stepId = ref.slice(1, ref.lastIndexOf('.'));
	const index = names.stepIds.indexOf(stepId);
	if (ref.lastIndexOf('.') < 2 || ref.endsWith('.')) problems.push({path, message: `"${ref}" is not @step-id.column`});
	else if (stepId === 'target' && isTargetRef(ref.slice(1))) return;
	else if (stepId === 'target') problems.push({path, message: `"${ref}": the target has host, port, database and user`});
	else if (index < 0) problems.push({path, message: `unknown step "${stepId}" in "${ref}"`});
	else if (index >= names.seen) problems.push({path, message: `"${ref}" names a step that has not run yet at this point`});
}

/**
 * Text filled in with what the run saw (a message, a fix's words and
 * commands, a step's commands, an action's SQL): every `{$name}` a
 * threshold, every `{@step-id.column}` (with or without `:ident`, `:literal`,
 * `|fallback`) a step that has run by then, or the target.
 */
function checkText(text: string, path: (string | number)[], names: OperandNames, problems: GraphProblem[]) {
	for (const m of text.matchAll(/\{\$([A-Za-z_][A-Za-z0-9_]*)(?:\|[^{}]*)?\}/g))
		if (!names.thresholds.has(m[1]!)) problems.push({path, message: `unknown threshold "$${m[1]}"`});
	for (const m of text.matchAll(/\{(@[^}:|]*)(?::[a-z]+)?(?:\|[^{}]*)?\}/g)) checkSeen(m[1]!, path, names, problems);
}

function checkTexts(runbook: Shape, names: OperandNames, problems: GraphProblem[]) {
	const commands = (list: CommandShape[] | undefined, at: (string | number)[]) => {
		for (const [k, c] of (list ?? []).entries()) {
			checkText(c.title, [...at, 'commands', k, 'title'], names, problems);
			checkText(c.run, [...at, 'commands', k, 'run'], names, problems);
		}
	};
	for (const [i, s] of runbook.steps.entries()) commands(s.commands, ['steps', i]);
	for (const [i, f] of (runbook.fixes ?? []).entries()) {
		checkText(f.summary, ['fixes', i, 'summary'], names, problems);
		for (const [j, a] of f.actions.entries()) if (typeof a === 'string') checkText(a, ['fixes', i, 'actions', j], names, problems);
		commands(f.commands, ['fixes', i]);
		for (const [j, q] of (f.queries ?? []).entries()) commands(q.commands, ['fixes', i, 'queries', j]);
	}
	if (runbook.elsewhere) checkText(runbook.elsewhere, ['elsewhere'], names, problems);
}

/**
 * An action acts on the rows of a finding of its own fix or of a main step,
 * and its SQL must name its target through those rows ({pid}, {role:ident},
 * {database:ident}): SQL that names a session, role or database of its own
 * would act on what no check saw.
 */
function checkActions(runbook: Shape, findings: Set<string>, names: OperandNames, problems: GraphProblem[]) {
	for (const [i, f] of (runbook.fixes ?? []).entries()) {
		const actions = f.actions.flatMap((a, j) => (typeof a === 'string' ? [] : [{a, j}]));
		if (actions.length > maxActionsPerFix)
			problems.push({path: ['fixes', i, 'actions', actions[maxActionsPerFix]!.j], message: `a fix has at most ${maxActionsPerFix} actions (keys 1–${maxActionsPerFix})`});
		const ids = new Set<string>();
		for (const {a, j} of actions) {
			const at = ['fixes', i, 'actions', j];
			if (ids.has(a.id)) problems.push({path: [...at, 'id'], message: `duplicate action id "${a.id}" (in fix "${f.id}")`});
			ids.add(a.id);
			const stepId = a.finding.slice(0, a.finding.lastIndexOf('.'));
			if (!findings.has(a.finding)) problems.push({path: [...at, 'finding'], message: `unknown finding "${a.finding}"`});
			else if (stepId.includes('/') && !stepId.startsWith(`${f.id}/`))
				problems.push({path: [...at, 'finding'], message: `"${a.finding}" is a follow-up of another fix: an action acts on what its own fix's checks found`});
			const column = actionTargetColumn[a.target];
			const identity = a.target === 'session' ? `{${column}}` : `{${column}:ident}`;
			const variants = typeof a.sql === 'string' ? [{sql: a.sql, path: [...at, 'sql']}] : a.sql.map((v, k) => ({sql: v.sql, path: [...at, 'sql', k, 'sql']}));
			for (const {sql, path} of variants) {
				if (!sql.includes(identity))
					problems.push({path, message: `the action's SQL is not bound to the evidence: it must name its ${a.target} as ${identity}, from the rows of ${a.finding}`});
				checkText(sql, path, names, problems);
			}
			checkText(a.title, [...at, 'title'], names, problems);
			// The title names the action, whatever it finds; each target is shown with its own values (touches).
			for (const m of a.title.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)(?::[a-z]+)?\}/g))
				problems.push({path: [...at, 'title'], message: `an action's title names the action; {${m[1]}} belongs in touches, shown for each target`});
			if (a.touches) checkText(a.touches, [...at, 'touches'], names, problems);
		}
	}
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

/**
 * Depth-first search over "falls through to the following step" and every branch.
 * Located at a branch of the loop that goes backward: falling through only goes
 * forward, so every loop has one, and it is the line the author has to change.
 */
function findCycle(steps: Shape['steps'], stepIds: string[]): {path: (string | number)[]; ids: string[]} | undefined {
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
		if (!ids) continue;
		const k = ids.findIndex((from, k) => k + 1 < ids.length && stepIds.indexOf(ids[k + 1]!) <= stepIds.indexOf(from));
		const at = stepIds.indexOf(ids[k]!);
		const j = steps[at]!.next!.findIndex(b => b.goto === ids[k + 1]);
		return {path: ['steps', at, 'next', j, 'goto'], ids};
	}
	return undefined;
}
