import type {Finding, Row, RunState, SessionPart, StepState} from '../engine/types.ts';
import {formatValue} from '../engine/template.ts';
import {truncate} from '../text/escape.ts';
import {actionTarget, type Acts} from './acts.ts';
import {countWord} from './format.ts';
import {formatDuration} from '../text/duration.ts';
import {endings} from '../engine/reducer.ts';
import {incident} from '../engine/causes.ts';

/* The incident as a postmortem template asks for it, in one ordered list:
 * when the errors began and ended in each log (with their rates), what each
 * check found (its key figures), notes, the fix chosen, what was done and by
 * whom, the verification, and where the session broke off and who took it up
 * again. Built from the final state: reports are pure functions of it. */

export type TimelineKind = 'log' | 'session' | 'check' | 'note' | 'manual' | 'fix' | 'action' | 'verification' | 'watch' | 'run';

/** How an entry reads at a glance: the symbol reports put before it. */
export type TimelineMark = 'ok' | 'info' | 'warning' | 'critical' | null;

export interface TimelineEntry {
	at: string;
	event: string;
	kind: TimelineKind;
	/** The step it is about, when it is about one. */
	stepId: string | null;
	/** Who did it (OS user@host), when a person did. */
	operator: string | null;
	mark: TimelineMark;
}

const statusMark: Record<string, TimelineMark> = {ok: 'ok', warning: 'warning', critical: 'critical', error: 'warning', manual: null, skipped: null};

/** `at` plus `ms`, as ISO time. */
function after(at: string, ms: number | undefined): string {
	const t = Date.parse(at);
	return Number.isNaN(t) || ms === undefined ? at : new Date(t + ms).toISOString();
}

/** A message standing in for a brief the runbook does not give is cut here: it may carry a whole log line. */
const maxFallbackLength = 140;

/** The finding in a few words: its brief, else its message cut short. */
export function findingBrief(finding: Pick<Finding, 'brief' | 'message'>): string {
	return finding.brief ?? truncate(finding.message, maxFallbackLength);
}

/** Warnings and critical findings, the worst first. */
function alarming(findings: Finding[]): Finding[] {
	return [...findings.filter(f => f.severity === 'critical'), ...findings.filter(f => f.severity === 'warning')];
}

function checkEntry(step: StepState): TimelineEntry | undefined {
	if (!step.startedAt || step.status === 'pending' || step.status === 'running' || step.status === 'skipped') return undefined;
	if (step.status === 'manual' && (step.kind === 'manual' || step.kind === 'info') && !step.manual) return undefined;
	const at = after(step.startedAt, step.durationMs);
	const base = {at, kind: 'check' as const, stepId: step.id, operator: null, mark: statusMark[step.status] ?? null};
	const what = step.fixId ? `${step.title} (follow-up of the fix)` : step.title;
	if (step.status === 'error') return {...base, event: `${what}: could not run — ${step.error?.message ?? 'interrupted'}`};
	if (step.status === 'manual') return {...base, event: `${what}: left to the operator — ${step.manual}`};
	const worst = alarming(step.findings);
	const figures = worst.length > 0 ? findingBrief(worst[0]!) : (step.brief ?? (step.kind === 'log' ? logFigures(step) : undefined));
	const more = worst.length > 1 ? ` (+${worst.length - 1} more finding${worst.length === 2 ? '' : 's'})` : '';
	return {...base, event: `${what}: ${step.status}${figures ? ` — ${figures}` : ''}${more}`};
}

/** A log step that found nothing alarming: how many kinds of error lines it read. */
function logFigures(step: StepState): string {
	return step.rowCount === 0 ? 'no error lines in the window' : `${countWord(step.rowCount, 'kind')} of error lines`;
}

/** A log step's rows are classes of lines with first_seen, last_seen and rates: the incident's own clock. */
function logEntries(step: StepState): TimelineEntry[] {
	if (step.kind !== 'log') return [];
	const entries: TimelineEntry[] = [];
	for (const row of step.rows) {
		const first = typeof row['first_seen'] === 'string' ? row['first_seen'] : undefined;
		const last = typeof row['last_seen'] === 'string' ? row['last_seen'] : undefined;
		if (!first && !last) continue;
		const mark = logRowMark(step, row);
		const what = `${formatValue(row['class'] ?? null)} error`;
		const base = {kind: 'log' as const, stepId: step.id, operator: null, mark};
		const rate = row['per_minute'] === undefined ? '' : `, ${formatValue(row['per_minute'])}/min`;
		if (first)
			entries.push({...base, at: first, event: `${step.title}: first ${what} (${formatValue(row['count'] ?? null)} in all${rate})`});
		if (last && last !== first) {
			const recent = row['per_minute_last_5m'] === undefined ? '' : ` (${formatValue(row['per_minute_last_5m'])}/min in its last 5 minutes)`;
			entries.push({...base, at: last, event: `${step.title}: last ${what} read${recent}`});
		}
	}
	return entries;
}

/** A class of log lines is as bad as the finding it made. */
function logRowMark(step: StepState, row: Row): TimelineMark {
	const same = (evidence: Row) => evidence['class'] === row['class'] && evidence['first_seen'] === row['first_seen'];
	const severities = step.findings.filter(f => same(f.evidence)).map(f => f.severity);
	return severities.includes('critical') ? 'critical' : severities.includes('warning') ? 'warning' : 'info';
}

/** Who drove the session at a moment: the part it falls in. */
export function operatorAt(sessions: SessionPart[], at: string): string | null {
	let who: string | null = null;
	for (const part of sessions) if (part.startedAt <= at) who = part.operator;
	return who;
}

function sessionEntries(state: RunState): TimelineEntry[] {
	const entries: TimelineEntry[] = [];
	const base = {kind: 'session' as const, stepId: null, mark: null};
	const target = state.target ? ` against ${state.target.user}@${state.target.host}:${state.target.port}/${state.target.database}` : '';
	state.sessions.forEach((part, i) => {
		const by = part.operator ?? 'an operator pg500 did not record';
		if (i === 0) {
			entries.push({...base, at: part.startedAt, operator: part.operator, event: `session started by ${by} (${part.tool.name} ${part.tool.version}, runbook ${state.runbook.id} v${state.runbook.version})${target}`});
			return;
		}
		const before = state.sessions[i - 1]!;
		const how = `ended: ${endings[before.endedBy ?? 'cut off'].long}`;
		const running = part.interruptedStep ? `, while ${state.steps[part.interruptedStep]?.title ?? part.interruptedStep} was running` : '';
		entries.push({...base, at: before.lastAt, operator: before.operator, event: `session ${how}${running}`});
		const gap = gapBefore(state.sessions, i);
		const version = part.tool.version === before.tool.version ? '' : `, ${part.tool.name} ${part.tool.version}`;
		entries.push({...base, at: part.startedAt, operator: part.operator, event: `session resumed by ${by}${version} after ${Number.isNaN(gap) ? 'a gap' : formatDuration(Math.max(0, gap))}`});
	});
	for (const s of state.switches)
		entries.push({...base, at: s.at, operator: operatorAt(state.sessions, s.at), event: `connected as ${s.target.user}@${s.target.host}:${s.target.port}/${s.target.database}: ${s.why}`});
	const last = state.sessions.at(-1);
	// A session stopped before its end says so; one quit after the run finished is simply over.
	if (last?.endedBy && !state.finishedAt)
		entries.push({...base, at: last.lastAt, operator: last.operator, event: `session ended before the run finished: ${endings[last.endedBy].long}`});
	return entries;
}

/** The incident timeline, oldest first; entries at the same moment keep the order of the story. */
export function incidentTimeline(state: RunState, acts: Acts): TimelineEntry[] {
	const entries: TimelineEntry[] = [];
	// The checks as the incident stood when the fix was chosen; a check run again later is added beside it below.
	const seen = incident(state);
	const steps = Object.values(seen.steps);
	for (const step of steps) entries.push(...logEntries(step));
	entries.push(...sessionEntries(state));
	for (const step of steps) {
		const check = checkEntry(step);
		if (check) entries.push(check);
		if (step.note && step.noteAt)
			entries.push({at: step.noteAt, kind: 'note', stepId: step.id, operator: operatorAt(state.sessions, step.noteAt), mark: null, event: `note on ${step.title}: ${step.note}`});
		if (step.done && step.doneAt)
			entries.push({at: step.doneAt, kind: 'manual', stepId: step.id, operator: operatorAt(state.sessions, step.doneAt), mark: 'ok', event: `${step.title}: done by hand`});
	}
	for (const step of Object.values(state.steps)) {
		if (step.startedAt === seen.steps[step.id]?.startedAt) continue;
		const check = checkEntry(step);
		if (check) entries.push({...check, event: `${check.event} (looked at again after the fix was chosen)`});
	}
	// When the figures were watched live: their series is in the report beside the timeline.
	for (const span of state.watch?.spans ?? []) {
		const operator = operatorAt(state.sessions, span.startedAt);
		entries.push({at: span.startedAt, kind: 'watch', stepId: null, operator, mark: null, event: `watch opened (a sample every ${span.intervalSeconds} s)`});
		if (span.stoppedAt)
			entries.push({at: span.stoppedAt, kind: 'watch', stepId: null, operator, mark: null, event: `watch closed${span.stopReason ? `: ${span.stopReason}` : ''}`});
	}
	const fix = state.chosenFix;
	if (fix) {
		const title = state.runbook.fixes.find(f => f.id === fix.id)?.title ?? fix.id;
		const operator = fix.by === 'operator' ? operatorAt(state.sessions, fix.at) : null;
		entries.push({at: fix.at, kind: 'fix', stepId: null, operator, mark: null, event: `fix chosen ${fix.by === 'operator' ? 'by the operator' : 'automatically (the top-ranked cause)'}: ${title}`});
	}
	for (const a of acts.actions) {
		const outcome = a.error ? `${a.result} (${a.error})` : a.result;
		const mark = a.status === 'done' ? 'ok' : a.status === 'failed' ? 'critical' : null;
		entries.push({at: a.confirmedAt, kind: 'action', stepId: null, operator: a.operator, mark, event: `${a.title} on ${actionTarget(a.target)}: ${a.status}${outcome ? ` — ${outcome}` : ''}`});
	}
	for (const v of acts.verifications) {
		const figures = v.figures.map(f => `${f.name} ${formatValue(f.before)} → ${formatValue(f.after)}`).join(', ');
		entries.push({at: v.at, kind: 'verification', stepId: null, operator: null, mark: v.cleared ? 'ok' : 'critical', event: `verification: ${v.cleared ? 'cleared' : 'not cleared'}${figures ? ` — ${figures}` : ''}`});
	}
	if (state.finishedAt) entries.push({at: state.finishedAt, kind: 'run', stepId: null, operator: null, mark: null, event: 'run finished'});
	// Stable: what happened at the same moment stays in the order it was added.
	const time = (at: string) => {
		const t = Date.parse(at);
		return Number.isNaN(t) ? Number.MAX_SAFE_INTEGER : t;
	};
	return entries
		.map((entry, order) => ({entry, order, t: time(entry.at)}))
		.sort((a, b) => a.t - b.t || a.order - b.order)
		.map(x => x.entry);
}

/** How long nobody was in the session before part `i` resumed it (NaN for the first, or when a time is unreadable). */
export function gapBefore(sessions: RunState['sessions'], i: number): number {
	const before = sessions[i - 1];
	return before ? Date.parse(sessions[i]!.startedAt) - Date.parse(before.lastAt) : NaN;
}
