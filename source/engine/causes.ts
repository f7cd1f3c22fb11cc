import type {Runbook} from '../runbook/schema.ts';
import type {Finding, Likelihood, RankedCause, RunState, Severity} from './types.ts';
import {fixText} from './fix-text.ts';

/** How much a finding's severity counts toward a cause, times the evidence weight. */
const severityFactor: Record<Severity, number> = {critical: 1, warning: 0.6, info: 0.25};

export const likelyFrom = 0.5;
export const possibleFrom = 0.2;

export function likelihoodOf(score: number): Likelihood {
	if (score >= likelyFrom) return 'likely';
	if (score >= possibleFrom) return 'possible';
	return 'unlikely';
}

/** `step-id.rule-id`, or `*.rule-id` for a finding any step can make (e.g. the target lost mid-run). */
export function evidenceMatches(ref: string, finding: Finding): boolean {
	return ref.startsWith('*.') ? finding.ruleId === ref.slice(2) : finding.ref === ref;
}

/**
 * Scores every cause of the runbook from the findings: each piece of evidence
 * contributes weight × severity factor of its most severe finding, combined as
 * independent signals (1 − Π(1 − c)) so that more evidence raises the score
 * without passing 1. A rule that matched many rows is still one signal: the
 * number of rows (and the display cap on them) must not outweigh severity.
 * Sorted most likely first; ties keep the runbook's order.
 */
export function rankCauses(runbook: Runbook, findings: Finding[], fill: (text: string) => string = text => text): RankedCause[] {
	const fixes = new Map(runbook.fixes.map(f => [f.id, f]));
	const ranked = runbook.causes.map((cause, order) => {
		const contributions: {c: number; line: string; finding: Finding}[] = [];
		let keep = 1;
		for (const item of cause.evidence) {
			const own = findings
				.filter(x => evidenceMatches(item.finding, x))
				.map(f => ({c: item.weight * severityFactor[f.severity], line: `${f.stepId}: ${f.message}`, finding: f}));
			if (own.length === 0) continue;
			keep *= 1 - Math.max(...own.map(x => x.c));
			contributions.push(...own);
		}
		contributions.sort((a, b) => b.c - a.c);
		const score = 1 - keep;
		const rounded = Math.round(score * 100) / 100;
		// One line per finding, however many evidence items name it, at its strongest.
		const strongest = new Map<string, Finding>();
		for (const x of contributions) if (!strongest.has(x.line)) strongest.set(x.line, x.finding);
		return {
			order,
			cause: {
				id: cause.id,
				title: cause.title,
				symptom: cause.symptom,
				likelihood: likelihoodOf(rounded),
				score: rounded,
				evidence: [...strongest.keys()],
				findings: [...strongest.values()],
				fixId: cause.fix,
				fix: fill(fixes.get(cause.fix)?.summary ?? ''),
			} satisfies RankedCause,
		};
	});
	ranked.sort((a, b) => b.cause.score - a.cause.score || a.order - b.order);
	return ranked.map(r => r.cause);
}

export function allFindings(state: RunState): Finding[] {
	return Object.values(state.steps).flatMap(s => s.findings);
}

/**
 * The run as the incident stood: once a fix is chosen, its main steps as
 * they were then (the fix's follow-ups as they ran). A step re-run after an
 * action is an observation; it does not rewrite what was diagnosed.
 */
export function incident(state: RunState): RunState {
	if (!state.diagnosis) return state;
	const steps = {...state.steps};
	// What the checks saw stands; what the operator wrote (a note, a tick) is the operator's at any time.
	for (const [id, seen] of Object.entries(state.diagnosis.steps)) {
		const now = state.steps[id];
		steps[id] = {...seen, note: now?.note, noteAt: now?.noteAt, done: now?.done, doneAt: now?.doneAt};
	}
	return {...state, steps};
}

/** The causes as the incident stood (see incident()), their fixes in the words of this run. */
export function rankedCauses(state: RunState): RankedCause[] {
	const seen = incident(state);
	return rankCauses(state.runbook, allFindings(seen), text => fixText(seen, text));
}
