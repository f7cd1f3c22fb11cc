import type {Rule} from '../runbook/schema.ts';
import type {Finding, Notice, Row, Severity} from './types.ts';
import {holds, type Lookup} from './conditions.ts';
import {fillTemplate} from './template.ts';

/** Per rule, at most this many findings from single rows; the rest are summed up in one more. */
export const maxFindingsPerRule = 5;

const levels: Severity[] = ['critical', 'warning', 'info'];

/** The rows a rule flags, each with the most severe level that holds for it, the most severe first. */
export function judgeRule(rule: Rule, rows: Row[], rowCount: number, thresholds: Record<string, number>, lookup?: Lookup): {row: Row; severity: Severity}[] {
	const judge = (row: Row): Severity | undefined =>
		levels.find(level => {
			const condition = rule[level];
			return condition !== undefined && holds(condition, row, rowCount, thresholds, lookup);
		});
	const judged = rule.per === 'result' ? [rows[0] ?? {}] : rows;
	const matched = judged.flatMap(row => {
		const severity = judge(row);
		return severity ? [{row, severity}] : [];
	});
	return matched.sort((a, b) => levels.indexOf(a.severity) - levels.indexOf(b.severity));
}

/** Turns a step's result rows into findings. The most severe matching level of a rule wins. */
export function evaluateRules(
	stepId: string,
	rules: Rule[],
	rows: Row[],
	rowCount: number,
	thresholds: Record<string, number>,
	lookup?: Lookup,
): Finding[] {
	const findings: Finding[] = [];
	for (const rule of rules) {
		const make = (severity: Severity, row: Row, message: string, brief = rule.brief): Finding => ({
			stepId,
			ruleId: rule.id,
			ref: `${stepId}.${rule.id}`,
			severity,
			message,
			...(brief === undefined ? {} : {brief: fillTemplate(brief, row, rowCount, thresholds, lookup)}),
			evidence: row,
		});
		const matched = judgeRule(rule, rows, rowCount, thresholds, lookup);
		for (const {row, severity} of matched.slice(0, maxFindingsPerRule))
			findings.push(make(severity, row, fillTemplate(rule.message, row, rowCount, thresholds, lookup)));
		const rest = matched.slice(maxFindingsPerRule);
		if (rest.length > 0)
			findings.push(make(rest[0]!.severity, {}, `… and ${rest.length} more like this`, undefined));
	}
	return findings;
}

export function noticeFindings(stepId: string, notices: Notice[]): Finding[] {
	return notices.map(n => ({stepId, ruleId: n.id, ref: `${stepId}.${n.id}`, severity: n.severity, message: n.message, evidence: {}}));
}

const rank: Record<Severity, number> = {info: 0, warning: 1, critical: 2};

export function worstSeverity(findings: Finding[]): Severity | undefined {
	let worst: Severity | undefined;
	for (const f of findings) if (worst === undefined || rank[f.severity] > rank[worst]) worst = f.severity;
	return worst;
}

export function atLeast(severity: Severity, floor: Severity): boolean {
	return rank[severity] >= rank[floor];
}
