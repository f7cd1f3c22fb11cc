import type {RunEvent, RunState} from '../engine/types.ts';
import {rankedCauses} from '../engine/causes.ts';
import {scenarios, type DrillCause, type Scenario} from './scenarios.ts';

/* Training mode: a drill picked at random and kept hidden; the trainee walks
 * the runbook and names the cause; then the answer, the evidence that pointed
 * to it, and the steps the trainee skipped. Pure: the TUI asks, this judges. */

export interface QuizChoice {
	id: DrillCause;
	label: string;
}

/** What the trainee can answer, in the order to offer it. */
export const quizChoices: readonly QuizChoice[] = [
	{id: 'pool-exhaustion', label: 'connection pool or client slots exhausted'},
	{id: 'deadlocks', label: 'lock waits or deadlocks'},
	{id: 'timeouts', label: 'timeouts cancel or end sessions'},
	{id: 'schema', label: 'schema drift (missing table, index or row)'},
	{id: 'connection-failure', label: 'PostgreSQL cannot be reached'},
	{id: 'pooler', label: 'PgBouncer in front is saturated or misconfigured'},
	{id: 'read-only-target', label: 'denokv writes to a standby or read-only server'},
	{id: 'server-bug', label: 'a bug in the denokv server, not the database'},
	{id: 'none', label: 'nothing is wrong'},
];

export interface QuizReveal {
	correct: boolean;
	answer: DrillCause;
	expected: DrillCause;
	scenario: {id: string; summary: string};
	/** `step: finding` lines that pointed to the answer. */
	evidence: string[];
	/** Main steps the trainee never ran. */
	skipped: string[];
	/** Of those, the ones where this fault shows. */
	missedKeySteps: string[];
	/** The whole reveal as text, for the screen and the report. */
	text: string;
	/** Records the result in the report: a note on the last step (appended to any note there). */
	event: RunEvent;
}

/** What the TUI receives: the choices and the reveal; the drill itself stays hidden in the closure. */
export interface QuizHook {
	choices: readonly QuizChoice[];
	reveal(state: RunState, answer: DrillCause): QuizReveal;
}

/** Picks the drill. Every scenario can come up, the healthy one too: knowing "nothing is wrong" is a skill. */
export function startQuiz(random: () => number = Math.random): {scenario: Scenario; hook: QuizHook} {
	const scenario = scenarios[Math.floor(random() * scenarios.length)] ?? scenarios[0]!;
	return {scenario, hook: {choices: quizChoices, reveal: (state, answer) => revealQuiz(scenario, state, answer)}};
}

const labelOf = (id: DrillCause) => quizChoices.find(c => c.id === id)?.label ?? id;

function evidenceFor(scenario: Scenario, state: RunState): string[] {
	const fromCause = rankedCauses(state).find(c => c.id === scenario.cause)?.evidence ?? [];
	const fromSteps = scenario.keySteps.flatMap(id =>
		(state.steps[id]?.findings ?? []).filter(f => f.severity !== 'info').map(f => `${f.stepId}: ${f.message}`),
	);
	return [...new Set([...fromCause, ...fromSteps])];
}

export function revealQuiz(scenario: Scenario, state: RunState, answer: DrillCause, at: string = new Date().toISOString()): QuizReveal {
	const correct = answer === scenario.cause;
	const evidence = evidenceFor(scenario, state);
	const skipped = state.runbook.steps
		.map(s => s.id)
		.filter(id => ['pending', 'skipped'].includes(state.steps[id]?.status ?? 'pending'));
	const missedKeySteps = scenario.keySteps.filter(id => skipped.includes(id));
	const lines = [
		`Quiz: answered "${labelOf(answer)}": ${correct ? 'correct' : `not it; the answer was "${labelOf(scenario.cause)}"`}.`,
		`The drill was ${scenario.id}: ${scenario.summary}.`,
		evidence.length
			? `What pointed to it:\n${evidence.map(e => `- ${e}`).join('\n')}`
			: missedKeySteps.length
				? 'Nothing pointed to it yet: the steps that show it were not run.'
				: 'No step flagged anything: that is what normal looks like.',
		missedKeySteps.length
			? `Skipped where it shows: ${missedKeySteps.join(', ')}.`
			: skipped.length
				? `Skipped: ${skipped.join(', ')} (none of them needed for this one).`
				: 'No step skipped.',
	];
	const text = lines.join('\n');
	const noteStep = state.steps['next-steps'] ? 'next-steps' : (state.visited.at(-1) ?? state.runbook.steps.at(-1)!.id);
	const before = state.steps[noteStep]?.note;
	const event: RunEvent = {type: 'note-set', at, stepId: noteStep, text: before ? `${before}\n\n${text}` : text};
	return {correct, answer, expected: scenario.cause, scenario: {id: scenario.id, summary: scenario.summary}, evidence, skipped, missedKeySteps, text, event};
}
