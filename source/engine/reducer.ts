import type {Runbook} from '../runbook/schema.ts';
import type {Histogram, RunEvent, RunState, SessionEnding, SessionPart, StepState, StepStatus, ToolInfo} from './types.ts';
import {momentOf} from './moments.ts';
import {watchStarted, watchSampled, watchStopped, withMoment} from './watch-series.ts';
import {evaluateRules, noticeFindings, worstSeverity} from './rules.ts';
import {findStep, position} from './steps.ts';
import {sameTarget, seenValue} from './lookup.ts';
import {verificationOf} from './verification.ts';
import {isPooler} from './pooler.ts';
import {fillTemplate, fitsRow} from './template.ts';

export function initialState(runbook: Runbook): RunState {
	const steps: Record<string, StepState> = {};
	const blank = {status: 'pending' as const, rows: [], rowCount: 0, findings: []};
	for (const s of runbook.steps) steps[s.id] = {id: s.id, title: s.title, kind: s.kind, ...blank};
	for (const f of runbook.fixes)
		for (const q of f.queries) {
			const id = `${f.id}/${q.id}`;
			steps[id] = {id, title: q.title, kind: q.kind, fixId: f.id, ...blank};
		}
	return {runbook, steps, visited: [], permissions: {}, actions: [], verifications: [], switches: [], exports: [], sessions: []};
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

/** A part of the session as its first event names it; a journal is untrusted, so a missing field is "unknown", never a crash. */
function sessionPart(event: {at: string; tool?: ToolInfo; operator?: string}): SessionPart {
	const tool = typeof event.tool?.version === 'string' ? {name: String(event.tool.name), version: event.tool.version} : {name: 'pg500', version: 'unknown'};
	return {operator: typeof event.operator === 'string' ? event.operator : null, tool, startedAt: event.at, lastAt: event.at};
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
	return lastSeen(next, event.at);
}

/** Every event is the latest sign of life of the session part it belongs to. */
function lastSeen(state: RunState, at: string): RunState {
	const current = state.sessions.at(-1);
	if (!current || current.lastAt === at) return state;
	return {...state, sessions: [...state.sessions.slice(0, -1), {...current, lastAt: at}]};
}

function apply(state: RunState, event: RunEvent): RunState {
	switch (event.type) {
		case 'run-started': {
			// A journal may say anything: a pooler pg500 does not know is left out.
			const {pooler, ...target} = event.target;
			return {
				...state,
				tool: event.tool,
				target: pooler === undefined || isPooler(pooler) ? event.target : target,
				startedAt: event.at,
				sessions: [sessionPart(event)],
			};
		}
		case 'session-resumed': {
			const interruptedStep = Object.values(state.steps).find(s => s.status === 'running')?.id;
			const part = {...sessionPart(event), ...(interruptedStep ? {interruptedStep} : {})};
			// A resumed session connects as the target's own role (a password typed before is not kept):
			// what another role was permitted to do is read again before any action is offered.
			return {...state, resumedAt: event.at, endedBy: undefined, connectedAs: undefined, permissions: {}, sessions: [...state.sessions, part]};
		}
		case 'session-ended': {
			const current = state.sessions.at(-1);
			const sessions = current ? [...state.sessions.slice(0, -1), {...current, endedBy: event.how}] : state.sessions;
			return {...state, endedBy: event.how, sessions};
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
				brief: undefined,
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
				const first = outcome.rows[0];
				const brief =
					def.step.brief && first && !outcome.error && fitsRow(def.step.brief, first)
						? fillTemplate(def.step.brief, first, outcome.rowCount, state.runbook.thresholds, ref => seenValue(state, ref))
						: undefined;
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
					brief,
				};
				return {...finished, status: outcome.skipped && !outcome.error ? 'skipped' : statusFrom(def.step.kind, finished)};
			});
		}
		case 'step-skipped':
			return updateStep(state, event.stepId, step => ({...step, status: 'skipped', skipReason: event.reason}));
		case 'manual-done':
			return updateStep(state, event.stepId, step => ({...step, done: true, doneAt: event.at}));
		case 'note-set':
			return updateStep(state, event.stepId, step => ({...step, note: event.text || undefined, noteAt: event.text ? event.at : undefined}));
		case 'fix-chosen': {
			// The incident as it stands now is what the report keeps, until something was done or looked at again.
			const acted = state.actions.length > 0 || state.verifications.length > 0;
			const diagnosis = acted && state.diagnosis ? state.diagnosis : {at: event.at, steps: mainSteps(state)};
			return {...state, chosenFix: {id: event.fixId, by: event.by, at: event.at}, diagnosis};
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
			const original = state.target && sameTarget(state.target, event.target);
			return {...state, connectedAs: original ? undefined : event.target, switches: [...state.switches, {at: event.at, target: event.target, why: event.why}]};
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
