import type {Runbook} from '../runbook/schema.ts';
import type {Histogram, RunEvent, RunState, SessionEnding, StepState, StepStatus} from './types.ts';
import {momentOf} from './moments.ts';
import {watchStarted, watchSampled, watchStopped, withMoment} from './watch-series.ts';
import {evaluateRules, noticeFindings, worstSeverity} from './rules.ts';
import {findStep, position} from './steps.ts';
import {seenValue} from './lookup.ts';
import {verificationOf} from './verification.ts';
import {formatValue} from './template.ts';
import {isPooler, poolerNames} from './pooler.ts';
import {formatDuration} from '../text/duration.ts';

export function initialState(runbook: Runbook): RunState {
	const steps: Record<string, StepState> = {};
	const blank = {status: 'pending' as const, rows: [], rowCount: 0, findings: []};
	for (const s of runbook.steps) steps[s.id] = {id: s.id, title: s.title, kind: s.kind, ...blank};
	for (const f of runbook.fixes)
		for (const q of f.queries) {
			const id = `${f.id}/${q.id}`;
			steps[id] = {id, title: q.title, kind: q.kind, fixId: f.id, ...blank};
		}
	return {runbook, steps, visited: [], permissions: {}, actions: [], verifications: [], exports: [], timeline: []};
}

/** Journals written before buckets were sized in seconds say bucketMinutes. */
function histogramOf(histogram: Histogram | undefined): Histogram | undefined {
	const legacy = (histogram as {bucketMinutes?: number} | undefined)?.bucketMinutes;
	return histogram?.bucketSeconds === undefined && legacy !== undefined ? {start: histogram!.start, bucketSeconds: legacy * 60, counts: histogram!.counts} : histogram;
}

function statusFrom(kind: string, step: StepState): StepStatus {
	if (step.error) return 'error';
	const worst = worstSeverity(step.findings);
	if (worst === 'critical' || worst === 'warning') return worst;
	return kind === 'manual' || kind === 'info' || step.manual ? 'manual' : 'ok';
}

/** The timeline's line for an event; none for a watch sample (the series has them all). */
function describe(event: RunEvent, state: RunState): string | undefined {
	const title = (id: string) => `${id} (${state.steps[id]?.title ?? id})`;
	switch (event.type) {
		case 'run-started':
			return `run started against ${event.target.host}:${event.target.port}/${event.target.database}`;
		case 'target-identified':
			return [event.serverVersion && `server version ${event.serverVersion}`, isPooler(event.pooler) && `reached through ${poolerNames[event.pooler]}`].filter(Boolean).join(', ');
		case 'step-started':
			return `started ${title(event.stepId)}`;
		case 'step-finished': {
			const s = state.steps[event.stepId];
			return `finished ${event.stepId}: ${s?.status ?? '?'} in ${event.durationMs} ms`;
		}
		case 'step-skipped':
			return `skipped ${event.stepId}: ${event.reason}`;
		case 'manual-done':
			return `ticked off ${title(event.stepId)}`;
		case 'note-set':
			return `note on ${event.stepId}`;
		case 'fix-chosen':
			return `fix chosen (${event.by}): ${event.fixId}`;
		case 'report-exported':
			return `report exported as ${event.format} to ${event.path}`;
		case 'actions-checked': {
			const allowed = event.permissions.filter(p => p.allowed).length;
			return `privileges for the actions of ${event.fixId}: ${allowed} of ${event.permissions.length} targets allowed`;
		}
		case 'action-taken': {
			const target = Object.entries(event.target)
				.filter(([k]) => k === 'pid' || k === 'role' || k === 'database')
				.map(([k, v]) => `${k} ${formatValue(v)}`)
				.join(', ');
			return `action ${event.actionId} on ${target || 'its target'}: ${event.status} (${event.operator}) — ${event.result}`;
		}
		case 'verified': {
			const v = state.verifications.at(-1);
			return `verification of ${event.causeId}: ${v?.cleared ? 'cleared' : 'not cleared'}${v ? ` (${v.figures.map(f => `${f.name} ${formatValue(f.before)} → ${formatValue(f.after)}`).join('; ')})` : ''}`;
		}
		case 'target-switched':
			return `connected as ${event.target.user}@${event.target.host}:${event.target.port}/${event.target.database}: ${event.why}`;
		case 'watch-started':
			return `watch opened (a sample every ${event.intervalSeconds} s)`;
		case 'watch-sampled':
			return undefined;
		case 'watch-stopped':
			return `watch closed${event.reason ? `: ${event.reason}` : ''}`;
		case 'run-finished':
			return 'run finished';
		case 'session-ended':
			return `session ended: ${endings[event.how].long}`;
		case 'session-resumed':
			return `session resumed after ${formatDuration(event.gapMs)}; it had ended: ${endings[event.after].long}`;
	}
}

/** How an ending reads: short in the session list, long in the timeline. */
export const endings: Record<SessionEnding | 'cut off', {short: string; long: string}> = {
	quit: {short: 'quit', long: 'quit (q)'},
	'ctrl-c': {short: 'Ctrl-C', long: 'stopped with Ctrl-C'},
	SIGINT: {short: 'SIGINT', long: 'interrupted (SIGINT)'},
	SIGTERM: {short: 'SIGTERM', long: 'terminated (SIGTERM)'},
	SIGHUP: {short: 'hang-up', long: 'hang-up (SIGHUP): the terminal or the SSH link closed'},
	'terminal-lost': {short: 'terminal gone', long: 'the terminal went away (its input closed)'},
	'cut off': {short: 'cut off', long: 'stopped without a clean ending (killed or crashed)'},
};

function updateStep(state: RunState, id: string, change: (s: StepState) => StepState): RunState {
	const current = state.steps[id];
	if (!current) return state;
	return {...state, steps: {...state.steps, [id]: change(current)}};
}

/** The single place where the run state changes. Pure: the same events give the same state. */
export function reduce(state: RunState, event: RunEvent): RunState {
	let next = apply(state, event);
	const moment = momentOf(event, next);
	if (moment) next = withMoment(next, {at: event.at, label: moment});
	const line = describe(event, next);
	return line === undefined ? next : {...next, timeline: [...next.timeline, {at: event.at, event: line}]};
}

function apply(state: RunState, event: RunEvent): RunState {
	switch (event.type) {
		case 'run-started': {
			// A journal may say anything: a pooler pg500 does not know is left out.
			const {pooler, ...target} = event.target;
			return {...state, tool: event.tool, target: pooler === undefined || isPooler(pooler) ? event.target : target, startedAt: event.at};
		}
		case 'target-identified':
			if (!state.target) return state;
			return {
				...state,
				target: {
					...state.target,
					...(event.serverVersion !== undefined && {serverVersion: event.serverVersion}),
					...(isPooler(event.pooler) && {pooler: event.pooler}),
				},
			};
		case 'step-started': {
			let s = updateStep(state, event.stepId, step => ({
				...step,
				status: 'running',
				startedAt: event.at,
				error: undefined,
				findings: [],
			}));
			if (findStep(state.runbook, event.stepId)?.main && !s.visited.includes(event.stepId)) {
				s = skipJumpedOver(s, event.stepId);
				s = {...s, visited: [...s.visited, event.stepId]};
			}
			return s;
		}
		case 'step-finished': {
			const def = findStep(state.runbook, event.stepId);
			if (!def) return state;
			const {outcome} = event;
			return updateStep(state, event.stepId, step => {
				const findings = outcome.error
					? []
					: evaluateRules(event.stepId, def.step.rules, outcome.rows, outcome.rowCount, state.runbook.thresholds, ref =>
							seenValue(state, ref),
						);
				const withNotices = [...noticeFindings(event.stepId, outcome.notices ?? []), ...findings];
				const finished: StepState = {
					...step,
					finishedAt: event.at,
					durationMs: event.durationMs,
					rows: outcome.rows,
					rowCount: outcome.rowCount,
					columns: outcome.columns,
					query: outcome.query,
					error: outcome.error,
					manual: outcome.manual,
					skipReason: outcome.skipped,
					histogram: histogramOf(outcome.histogram),
					findings: withNotices,
				};
				return {...finished, status: outcome.skipped && !outcome.error ? 'skipped' : statusFrom(def.step.kind, finished)};
			});
		}
		case 'step-skipped':
			return updateStep(state, event.stepId, step => ({...step, status: 'skipped', skipReason: event.reason}));
		case 'manual-done':
			return updateStep(state, event.stepId, step => ({...step, done: true}));
		case 'note-set':
			return updateStep(state, event.stepId, step => ({...step, note: event.text || undefined}));
		case 'fix-chosen': {
			// The incident as it stands now is what the report keeps, until something was done or looked at again.
			const acted = state.actions.length > 0 || state.verifications.length > 0;
			const diagnosis = acted && state.diagnosis ? state.diagnosis : {at: event.at, steps: mainSteps(state)};
			return {...state, chosenFix: {id: event.fixId, by: event.by}, diagnosis};
		}
		case 'actions-checked':
			return {...state, permissions: {...state.permissions, [event.fixId]: event.permissions}};
		case 'action-taken': {
			const {type: _type, at: _at, ...record} = event;
			return {...state, actions: [...state.actions, record]};
		}
		case 'verified':
			return {...state, verifications: [...state.verifications, verificationOf(state, event)]};
		case 'target-switched': {
			const t = state.target;
			const original = t && t.user === event.target.user && t.host === event.target.host && t.port === event.target.port && t.database === event.target.database;
			return {...state, connectedAs: original ? undefined : event.target};
		}
		case 'report-exported':
			return {...state, exports: [...state.exports, {path: event.path, format: event.format, at: event.at}]};
		case 'watch-started':
			return watchStarted(state, event.at, event.intervalSeconds);
		case 'watch-sampled':
			return watchSampled(state, event);
		case 'watch-stopped':
			return watchStopped(state, event.at, event.reason);
		case 'run-finished': {
			const steps = {...state.steps};
			for (const [id, step] of Object.entries(steps))
				if (step.status === 'pending' && (!step.fixId || step.fixId === state.chosenFix?.id))
					steps[id] = {...step, status: 'skipped', skipReason: 'not reached on the path the run took'};
			return {...state, steps, finishedAt: event.at};
		}
		case 'session-ended':
			return {...state, endedBy: event.how};
		case 'session-resumed':
			// A resumed session connects as the target's own role (a password typed before is not kept):
			// what another role was permitted to do is read again before any action is offered.
			return {...state, resumedAt: event.at, endedBy: undefined, connectedAs: undefined, permissions: {}};
	}
}

/** The main steps as they are now (the diagnosis a fix is chosen on). */
function mainSteps(state: RunState): Record<string, StepState> {
	const steps: Record<string, StepState> = {};
	for (const s of state.runbook.steps) steps[s.id] = state.steps[s.id]!;
	return steps;
}

/** A branch that jumps forward leaves the steps in between skipped. */
function skipJumpedOver(state: RunState, startedId: string): RunState {
	const ids = state.runbook.steps.map(s => s.id);
	const last = position(state);
	const from = last === undefined ? 0 : ids.indexOf(last) + 1;
	const to = ids.indexOf(startedId);
	const steps = {...state.steps};
	for (const id of ids.slice(from, to))
		if (steps[id]?.status === 'pending') steps[id] = {...steps[id]!, status: 'skipped', skipReason: 'a branch went past it'};
	return {...state, steps};
}
