import type {ActionRecord, Histogram, Likelihood, Pooler, Row, RunState, SessionEnding, Severity, StepState, Verdict} from '../engine/types.ts';
import {allFindings, incident, rankedCauses} from '../engine/causes.ts';
import {chooseFix} from '../engine/next.ts';
import {reportVerdict} from '../engine/verdict.ts';
import {filledFix, fixSteps, fixText, whereElseToLook} from '../engine/fix-text.ts';
import {findStep} from '../engine/steps.ts';
import type {RunnableStep} from '../runbook/schema.ts';
import {toolVersion} from '../version.ts';
import {summaryLines} from './summary.ts';
import {gapBefore, incidentTimeline, operatorAt, type TimelineEntry} from './timeline.ts';
import {watchJson, type JsonWatch} from './watch-json.ts';

/* The JSON report of the public contract (cli-contract.md, schemaVersion 1),
 * described by docs/report.schema.json. Fields beyond the contract's sketch
 * are additive. Markdown and HTML render this same model, so every format
 * tells the same story about an interrupted run. */

export const maxReportRows = 50;

export type ReportStatus = 'ok' | 'warning' | 'critical' | 'error' | 'skipped' | 'manual';

export interface JsonFinding {
	severity: Severity;
	message: string;
	/** The finding in a few words with its figures (the rule's brief); null when the rule has none. */
	brief: string | null;
	evidence: Row;
}

export interface JsonStep {
	id: string;
	title: string;
	kind: string;
	/** For a fix's follow-up check (`fix-id/query-id`), the fix. */
	fixId: string | null;
	status: ReportStatus;
	/** Why a step was skipped, must be done by hand, or did not finish. */
	reason: string | null;
	startedAt: string | null;
	durationMs: number | null;
	findings: JsonFinding[];
	rows: Row[];
	/** Rows the step produced before the cap. */
	rowCount: number;
	/** The columns to show (the runbook's choice, else every column of the result). */
	columns: string[] | null;
	/** The result's key figures (the step's brief, filled from its first row); null when the step has none. */
	brief: string | null;
	query: string | null;
	/** What the operator does, for steps done by hand (the runbook's instructions). */
	instructions: string[];
	/** Commands for the operator (shown, never run), for steps done by hand. */
	commands: {title: string; run: string}[];
	error: {message: string; hint: string | null; sqlstate: string | null} | null;
	histogram: JsonHistogram | null;
	/** A manual step the operator ticked off. */
	done: boolean;
	note: string | null;
}

/** bucketMinutes is bucketSeconds / 60, kept for readers of schemaVersion 1 from before buckets of seconds. */
export type JsonHistogram = Histogram & {bucketMinutes: number};

export interface JsonCause {
	id: string;
	title: string;
	symptom: string;
	likelihood: Likelihood;
	score: number;
	evidence: string[];
	fixId: string;
	fix: string;
}

export interface JsonFix {
	id: string;
	title: string;
	summary: string;
	/** What to do, in order, filled in with what the checks found; an action pg500 can take is its title. */
	actions: string[];
	commands: {title: string; run: string}[];
	/** false: recommended by the ranking but not (yet) chosen. */
	chosen: boolean;
	by: 'operator' | 'auto' | null;
}

/** One stretch of the session: the run, then each resume — perhaps another person on another host. */
export interface JsonSessionPart {
	/** OS user@host; null for a journal from before pg500 recorded it. */
	operator: string | null;
	tool: {name: string; version: string};
	startedAt: string;
	/** Its last recorded event. */
	lastAt: string;
	/** How it ended, when it could say so (quit, ctrl-c, SIGINT, SIGTERM, SIGHUP, terminal-lost); null: cut off, or still going. */
	endedBy: SessionEnding | null;
	/** For a resumed part: milliseconds since the part before it went quiet. */
	gapMs: number | null;
	/** For a resumed part: the step that was running when the part before it stopped. */
	interruptedStep: string | null;
}

export interface JsonReport {
	schemaVersion: 1;
	/** The summary for the incident channel: at most six plain lines (summary.ts). */
	summary: string[];
	tool: {name: string; version: string};
	runbook: {id: string; title: string; path: string; version: string};
	/** `pooler`: the pooler pg500 talked through ("pgbouncer"), else null. */
	target: {host: string; port: number; database: string; user: string; serverVersion: string | null; pooler: Pooler | null} | null;
	startedAt: string | null;
	/** When the run finished; for an interrupted run, the last thing the record holds. */
	finishedAt: string | null;
	/** false when the session stopped before the run's end (dropped link, killed terminal). */
	finished: boolean;
	verdict: Verdict;
	steps: JsonStep[];
	causes: JsonCause[];
	fix: JsonFix | null;
	/** Every action answered at a confirmation (cli-contract.md); `pg500 run` never acts: []. */
	actions: JsonAction[];
	/** The last verification after an action, or null. */
	verification: JsonVerification | null;
	/** The role pg500 ended up connected as, when the operator reconnected as another (no password). */
	connectedAs: {host: string; port: number; database: string; user: string} | null;
	/** Where to look next when no cause is likely (the database looks healthy); null otherwise. */
	elsewhere: string | null;
	/** Who ran the session and from where, part by part. */
	sessions: JsonSessionPart[];
	exports: {path: string; format: string; at: string}[];
	/** The incident, oldest first: log errors, checks, notes, the fix, actions, verification, interruptions. */
	timeline: TimelineEntry[];
	/** The figures watched over time (`w`), or null. */
	watch: JsonWatch | null;
}

/** An action answered at a confirmation, as the journal keeps it; the contract names its id `id`. */
export type JsonAction = Omit<ActionRecord, 'actionId'> & {id: string};

export interface JsonVerification {
	at: string;
	cause: string;
	fixId: string;
	cleared: boolean;
	figures: {stepId: string; rule: string; name: string; before: Row[string]; after: Row[string]; severityBefore: Severity | null; severityAfter: Severity | null}[];
	notes: string[];
	/** How many verifications ran in all (this is the last). */
	count: number;
}

export interface JsonReportOptions {
	/** Where the full report is (`host:/path`), for the summary's last line. */
	location?: string;
}

export const notRunYet = 'not run yet: the session stopped before this step';
export const interrupted = 'interrupted: the session stopped while this step was running, so its result is unknown';

/**
 * A report never shows the engine's transient statuses: a pending step of an
 * interrupted run is `skipped` ("not run yet"), a step that was running when
 * the session stopped is `error` ("interrupted").
 */
function statusOf(step: StepState): {status: ReportStatus; reason: string | null} {
	switch (step.status) {
		case 'pending':
			return {status: 'skipped', reason: notRunYet};
		case 'running':
			return {status: 'error', reason: interrupted};
		case 'skipped':
			return {status: 'skipped', reason: step.skipReason ?? null};
		case 'manual':
			return {status: 'manual', reason: step.manual ?? null};
		default:
			return {status: step.status, reason: step.manual ?? null};
	}
}

function stepReport(step: StepState, def: RunnableStep | undefined, state: RunState): JsonStep {
	const byHand = step.status === 'manual';
	return {
		id: step.id,
		title: step.title,
		kind: step.kind,
		fixId: step.fixId ?? null,
		...statusOf(step),
		startedAt: step.startedAt ?? null,
		durationMs: step.status === 'running' ? null : (step.durationMs ?? null),
		findings: step.findings.map(f => ({severity: f.severity, message: f.message, brief: f.brief ?? null, evidence: f.evidence})),
		rows: step.rows.slice(0, maxReportRows),
		rowCount: step.rowCount,
		columns: def?.columns ?? step.columns ?? null,
		brief: step.brief ?? null,
		query: step.query ?? null,
		instructions: byHand ? (def?.instructions ?? []) : [],
		commands: byHand ? (def?.commands ?? []).map(c => ({title: fixText(state, c.title), run: fixText(state, c.run)})) : [],
		error: step.error ? {message: step.error.message, hint: step.error.hint ?? null, sqlstate: step.error.sqlstate ?? null} : null,
		histogram: step.histogram ? {...step.histogram, bucketMinutes: step.histogram.bucketSeconds / 60} : null,
		done: step.done ?? false,
		note: step.note ?? null,
	};
}

/** Every main step in runbook order, then the fix follow-ups that ran, in runbook order. */
function reportedSteps(state: RunState): StepState[] {
	const main = state.runbook.steps.map(s => state.steps[s.id]!);
	const followUps = state.runbook.fixes.flatMap(f =>
		f.queries.map(q => state.steps[`${f.id}/${q.id}`]!).filter(s => s.startedAt !== undefined),
	);
	return [...main, ...followUps];
}

/** The chosen fix, else the one the cause ranking recommends (none when every cause is unlikely). */
function fixReport(state: RunState): JsonFix | null {
	const id = state.chosenFix?.id ?? chooseFixRecommendation(state);
	const found = state.runbook.fixes.find(f => f.id === id);
	if (!found) return null;
	const fix = filledFix(state, found);
	return {
		id: fix.id,
		title: fix.title,
		summary: fix.summary,
		actions: fixSteps(found, state).map(a => a.text),
		commands: fix.commands.map(c => ({title: c.title, run: c.run})),
		chosen: state.chosenFix !== undefined,
		by: state.chosenFix?.by ?? null,
	};
}

function chooseFixRecommendation(state: RunState): string | undefined {
	const move = chooseFix(state);
	return move.kind === 'choose-fix' ? move.recommended : undefined;
}

/** The session's parts, each with the gap since the one before. */
function sessionsReport(state: RunState): JsonSessionPart[] {
	return state.sessions.map((part, i) => {
		const gap = gapBefore(state.sessions, i);
		return {
			operator: part.operator,
			tool: part.tool,
			startedAt: part.startedAt,
			lastAt: part.lastAt,
			endedBy: part.endedBy ?? null,
			gapMs: Number.isNaN(gap) ? null : Math.max(0, gap),
			interruptedStep: part.interruptedStep ?? null,
		};
	});
}

/** The actions section: each target of each action answered, as journaled. */
function actionsReport(state: RunState): JsonAction[] {
	return state.actions.map(({actionId, ...rest}) => ({id: actionId, ...rest}));
}

/** The verification section: the last one, figure by figure. */
function verificationReport(state: RunState): JsonVerification | null {
	const v = state.verifications.at(-1);
	if (!v) return null;
	return {
		at: v.at,
		cause: v.causeId,
		fixId: v.fixId,
		cleared: v.cleared,
		figures: v.figures.map(f => ({
			stepId: f.stepId,
			rule: f.ruleId,
			name: f.name,
			before: f.before,
			after: f.after,
			severityBefore: f.severityBefore ?? null,
			severityAfter: f.severityAfter ?? null,
		})),
		notes: v.notes,
		count: state.verifications.length,
	};
}


export function buildJsonReport(state: RunState, options: JsonReportOptions = {}): JsonReport {
	const {runbook} = state;
	const causes = rankedCauses(state);
	const fix = fixReport(state);
	const verdict = reportVerdict(state);
	const target = state.target
		? {
				host: state.target.host,
				port: state.target.port,
				database: state.target.database,
				user: state.target.user,
				serverVersion: state.target.serverVersion,
				pooler: state.target.pooler ?? null,
			}
		: null;
	const actions = actionsReport(state);
	const acts = {actions, verifications: state.verifications};
	const summary = summaryLines({
		verdict,
		finished: state.finishedAt !== undefined,
		target,
		startedAt: state.startedAt ?? null,
		causes,
		findings: allFindings(incident(state)).filter(f => f.severity !== 'info'),
		fix: fix && {...fix, operator: state.chosenFix ? operatorAt(state.sessions, state.chosenFix.at) : null},
		acts,
		location: options.location,
	});
	return {
		schemaVersion: 1,
		summary,
		tool: state.tool ? {name: state.tool.name, version: state.tool.version} : {name: 'pg500', version: toolVersion},
		runbook: {id: runbook.id, title: runbook.title, path: runbook.path, version: runbook.version},
		target,
		startedAt: state.startedAt ?? null,
		finishedAt: state.finishedAt ?? state.sessions.at(-1)?.lastAt ?? null,
		finished: state.finishedAt !== undefined,
		verdict,
		// The steps as the incident stood: a check re-run after the fix was chosen is in the timeline and the verification.
		steps: reportedSteps(incident(state)).map(s => stepReport(s, findStep(runbook, s.id)?.step, state)),
		causes: causes.map(c => ({
			id: c.id,
			title: c.title,
			symptom: c.symptom,
			likelihood: c.likelihood,
			score: c.score,
			evidence: c.evidence,
			fixId: c.fixId,
			fix: c.fix,
		})),
		fix,
		actions,
		verification: verificationReport(state),
		connectedAs: state.connectedAs
			? {host: state.connectedAs.host, port: state.connectedAs.port, database: state.connectedAs.database, user: state.connectedAs.user}
			: null,
		elsewhere: whereElseToLook(state) ?? null,
		sessions: sessionsReport(state),
		exports: state.exports.map(e => ({path: e.path, format: e.format, at: e.at})),
		timeline: incidentTimeline(state, acts),
		watch: watchJson(state),
	};
}
