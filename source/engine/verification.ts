import type {Condition, Rule, Runbook} from '../runbook/schema.ts';
import {incident} from './causes.ts';
import type {Lookup} from './conditions.ts';
import {seenValue} from './lookup.ts';
import {atLeast, judgeRule} from './rules.ts';
import {findStep} from './steps.ts';
import {fillTemplate, formatValue} from './template.ts';
import type {Observation, Row, RunState, Severity, Value, Verification, VerificationFigure} from './types.ts';

/* Verification: after an action, the chosen cause's evidence steps run
 * again and each figure of its evidence is compared with the diagnosis.
 * "Cleared" only when every one is back to normal. Pure: the journal keeps
 * the observations and the reducer derives the rest, so a replayed session
 * tells the same story. */

/** Kinds of step a verification runs again: live checks. Logs are history: what they said stays said. */
const liveKinds = new Set(['sql', 'connect', 'pgbouncer']);

/** The cause the chosen fix answers: the most likely one at diagnosis that leads to it. */
export function causeOfFix(state: RunState, fixId: string, ranked: {id: string; fixId: string}[]): string | undefined {
	return ranked.find(c => c.fixId === fixId)?.id ?? state.runbook.causes.find(c => c.fix === fixId)?.id;
}

function ruleOf(runbook: Runbook, ref: string): {stepId: string; rule: Rule} | undefined {
	const dot = ref.lastIndexOf('.');
	const stepId = ref.slice(0, dot);
	const rule = findStep(runbook, stepId)?.step.rules.find(r => r.id === ref.slice(dot + 1));
	return rule ? {stepId, rule} : undefined;
}

/**
 * The steps a verification of `causeId` runs again, in runbook order: the
 * live checks among its evidence whose rules spoke at diagnosis, or that
 * could not look then (a branch went past them, the connection was refused).
 */
export function stepsToVerify(state: RunState, causeId: string): string[] {
	const cause = state.runbook.causes.find(c => c.id === causeId);
	if (!cause) return [];
	const seen = incident(state);
	const wanted = new Set<string>();
	for (const item of cause.evidence) {
		const found = ruleOf(state.runbook, item.finding);
		if (!found) continue;
		const step = seen.steps[found.stepId];
		const def = findStep(state.runbook, found.stepId);
		if (!step || !def || !liveKinds.has(def.step.kind)) continue;
		const spoke = step.findings.some(f => f.ref === item.finding && atLeast(f.severity, 'warning'));
		const blind = step.status === 'skipped' || step.status === 'error' || step.status === 'pending';
		if (spoke || blind) wanted.add(found.stepId);
	}
	return state.runbook.steps.map(s => s.id).filter(id => wanted.has(id));
}

/** Log steps among the cause's evidence that spoke: a verification says it did not read them again. */
function historyOnly(state: RunState, causeId: string): string[] {
	const cause = state.runbook.causes.find(c => c.id === causeId);
	const seen = incident(state);
	const ids = new Set<string>();
	for (const item of cause?.evidence ?? []) {
		const found = ruleOf(state.runbook, item.finding);
		const def = found && findStep(state.runbook, found.stepId);
		if (!found || !def || liveKinds.has(def.step.kind)) continue;
		if (seen.steps[found.stepId]?.findings.some(f => f.ref === item.finding && atLeast(f.severity, 'warning'))) ids.add(found.stepId);
	}
	return [...ids];
}

/** The `@step.column` a condition compares `column` with, if any: the figure is then the rise since that value. */
function baselineRef(condition: Condition | undefined, column: string): string | undefined {
	if (!condition) return undefined;
	if ('all' in condition) return condition.all.map(c => baselineRef(c, column)).find(Boolean);
	if ('any' in condition) return condition.any.map(c => baselineRef(c, column)).find(Boolean);
	if ('rows' in condition || condition.column !== column) return undefined;
	for (const op of ['gt', 'gte', 'lt', 'lte', 'eq', 'ne'] as const) {
		const operand = condition[op];
		if (typeof operand === 'string' && operand.startsWith('@')) return operand.slice(1);
	}
	return undefined;
}

const asNumber = (value: Value | undefined): number | undefined =>
	typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : undefined;

/**
 * A rule's figure on a result: the figure's column of the first row (the rise
 * since the value it is compared with, for a counter), else how many rows the
 * rule flags at warning or worse; and the rule's most severe verdict.
 */
export function figureOf(rule: Rule, rows: Row[], rowCount: number, thresholds: Record<string, number>, lookup: Lookup): {value: Value; severity?: Severity} {
	const matched = judgeRule(rule, rows, rowCount, thresholds, lookup);
	const severity = matched[0]?.severity;
	const column = rule.figure?.column;
	if (!column || rule.per !== 'result') return {value: matched.filter(m => atLeast(m.severity, 'warning')).length, severity};
	const seen = rows[0]?.[column] ?? null;
	// bigint and numeric arrive as text: a figure reads as the number it is.
	const raw = asNumber(seen) ?? seen;
	const ref = baselineRef(rule.critical, column) ?? baselineRef(rule.warning, column) ?? baselineRef(rule.info, column);
	if (!ref) return {value: raw, severity};
	const now = asNumber(raw);
	const then = asNumber(lookup(ref));
	return {value: now === undefined || then === undefined ? null : `+${now - then}`, severity};
}

/** What a figure is called: the rule's figure name with its thresholds, else the rule's id in words. */
export function figureName(rule: Rule, thresholds: Record<string, number>): string {
	return rule.figure ? fillTemplate(rule.figure.name, {}, 0, thresholds) : rule.id.replace(/-/g, ' ');
}

/**
 * The rows a step showed last before this verification: the previous
 * verification's look, else the diagnosis. A counter compared with a value
 * seen earlier (`@connect.deadlocks`) is judged against that look on a
 * verification: "+0" means none since pg500 last looked.
 */
function previousRows(state: RunState, stepId: string): Row[] | undefined {
	for (const v of [...state.verifications].reverse()) {
		const seen = v.observations.find(o => o.stepId === stepId && !o.outcome.error);
		if (seen) return seen.outcome.rows;
	}
	const step = incident(state).steps[stepId];
	return step && !step.error && step.status !== 'pending' && step.status !== 'skipped' ? step.rows : undefined;
}

const ranAtDiagnosis = (status: string | undefined) => status !== undefined && !['pending', 'skipped', 'error', 'running'].includes(status);

/** The verification an event records: figures before → after, and whether everything is back to normal. */
export function verificationOf(state: RunState, event: {at: string; fixId: string; causeId: string; observations: Observation[]}): Verification {
	const {runbook} = state;
	const diagnosed = incident(state);
	const cause = runbook.causes.find(c => c.id === event.causeId);
	const figures: VerificationFigure[] = [];
	const notes: string[] = [];
	let blind = false;
	for (const observation of event.observations) {
		const def = findStep(runbook, observation.stepId);
		if (!def) continue;
		if (observation.outcome.error) {
			blind = true;
			notes.push(`${observation.stepId} could not look again: ${observation.outcome.error.message}`);
			continue;
		}
		const before = diagnosed.steps[observation.stepId];
		const last = previousRows(state, observation.stepId)?.[0];
		const lookBefore: Lookup = ref => seenValue(diagnosed, ref);
		const lookAfter: Lookup = ref => {
			const column = ref.slice(ref.lastIndexOf('.') + 1);
			return last && column in last ? last[column] : seenValue(state, ref);
		};
		for (const item of cause?.evidence ?? []) {
			const found = ruleOf(runbook, item.finding);
			if (!found || found.stepId !== observation.stepId) continue;
			const seen = before !== undefined && ranAtDiagnosis(before.status);
			const then = seen ? figureOf(found.rule, before.rows, before.rowCount, runbook.thresholds, lookBefore) : {value: null};
			const now = figureOf(found.rule, observation.outcome.rows, observation.outcome.rowCount, runbook.thresholds, lookAfter);
			const spoke = (s?: Severity) => s !== undefined && atLeast(s, 'warning');
			// A step the diagnosis could not look at shows every figure: its first look is news either way.
			if (seen && !spoke(then.severity) && !spoke(now.severity)) continue;
			figures.push({
				stepId: observation.stepId,
				ruleId: found.rule.id,
				name: figureName(found.rule, runbook.thresholds),
				before: then.value,
				after: now.value,
				...(spoke(then.severity) ? {severityBefore: then.severity} : {}),
				...(spoke(now.severity) ? {severityAfter: now.severity} : {}),
			});
		}
	}
	const history = historyOnly(state, event.causeId);
	if (history.length > 0) notes.push(`not read again (what a log said stays said): ${history.join(', ')}; watch it for new errors`);
	if (event.observations.length === 0) notes.push('none of this cause\'s evidence can be looked at again from the database');
	const cleared = !blind && event.observations.length > 0 && figures.every(f => f.severityAfter === undefined);
	return {at: event.at, fixId: event.fixId, causeId: event.causeId, observations: event.observations, cleared, figures, notes};
}

/** A figure's change as every face writes it: `6 → 0`, `not seen → 0` when the diagnosis could not look. */
export function figureChange(f: Pick<VerificationFigure, 'before' | 'after'>): string {
	return `${f.before === null ? 'not seen' : formatValue(f.before)} → ${formatValue(f.after)}`;
}
