import type {Fix, GuardedAction} from '../runbook/schema.ts';
import {actionTargetColumn, type ActionTarget} from '../runbook/names.ts';
import {pickQuery} from '../runbook/query-variant.ts';
import {quoteIdent} from '../sql/quote.ts';
import {holds, type Lookup} from './conditions.ts';
import {seenValue} from './lookup.ts';
import {atLeast, judgeRule} from './rules.ts';
import {findStep} from './steps.ts';
import {fillTemplate, formatValue, placeholders} from './template.ts';
import type {ActionPermission, ActionRecord, Row, RunState, Value} from './types.ts';

/* The actions of a fix, bound to what the checks found: which rows each one
 * would act on, the exact SQL for each, and why it cannot be offered (a
 * value the checks did not see, a privilege the role lacks, done already).
 * Pure: the controller runs what this plans, the faces show it. */

export interface PlannedTarget {
	/** "pid 4242", "role denokv", "database denokv": one target of one action. */
	key: string;
	/** The evidence row it comes from. */
	row: Row;
	/** What the record keeps and the guard compares: pid with backend_start (…), or the role, or the database. */
	identity: Row;
	/** The SQL for this target, for this server's version; undefined when it cannot be filled. */
	sql?: string;
	/** What it touches, for the confirmation. */
	touches: string;
	/** Why pg500 will not act on it now. */
	problem?: string;
	/** The statement that would give the role what it lacks for it. */
	grant?: string;
}

export interface PlannedAction {
	/** 1–9: its key in the fix view. */
	number: number;
	id: string;
	fixId: string;
	kind: ActionTarget;
	/** What it does; each target says what it touches. */
	title: string;
	/** Every row of the evidence it is bound to. */
	targets: PlannedTarget[];
	/** What a `yes` acts on now. */
	ready: PlannedTarget[];
	/** Why it is not offered now (nothing to act on, not permitted, done). */
	unavailable?: string;
	grant?: string;
	/** What the operator answered so far, and what came of it. */
	records: ActionRecord[];
}

/** The connect step found every client slot taken: only a superuser's reserved slots let pg500 in. */
export function slotsTaken(state: RunState): boolean {
	return (state.steps.connect?.findings ?? []).some(f => f.ruleId === 'too-many-clients');
}

/** The guarded actions of a fix, with their numbers. */
export function guardedActions(fix: Fix): GuardedAction[] {
	return fix.actions.filter((a): a is GuardedAction => typeof a !== 'string');
}

/** The server's major version, from the connect step (what picks a query's variant). */
function serverMajor(state: RunState): number | undefined {
	const num = Number(state.steps.connect?.rows[0]?.server_version_num);
	if (Number.isFinite(num) && num > 0) return Math.floor(num / 10000);
	const version = state.target?.serverVersion;
	return version ? Number.parseInt(version, 10) : undefined;
}

const isNumber = (value: Value | undefined) =>
	typeof value === 'number' ? Number.isFinite(value) : typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value);

/**
 * Why SQL cannot be filled from `row`: a value the checks did not see, or a
 * text value where the SQL has no quoting for it (it would become SQL).
 */
export function unfillable(sql: string, row: Row, lookup: Lookup, thresholds: Record<string, number>): string | undefined {
	for (const [, key, format] of sql.matchAll(placeholders)) {
		if (key!.startsWith('$')) {
			if (thresholds[key!.slice(1)] === undefined) return `no threshold ${key}`;
			continue;
		}
		const value = key!.startsWith('@') ? lookup(key!.slice(1)) : row[key!];
		if (value === null || value === undefined) return `the checks did not see ${key!.replace(/^@/, '')}`;
		if (!format && !isNumber(value)) return `${key} is not a number, and SQL takes text only quoted ({${key}:literal} or {${key}:ident})`;
	}
	return undefined;
}

const defaultTouches: Record<ActionTarget, string> = {
	session: 'session {pid} of {role}, started {backend_start}',
	role: 'role {role}: the sessions it starts from now on',
	database: 'database {database}: the sessions that connect to it from now on',
};

/** The identity pg500 compares before acting, and keeps in the record. */
function identityOf(kind: ActionTarget, row: Row): {identity: Row; problem?: string} {
	const column = actionTargetColumn[kind];
	const value = row[column];
	if (value === null || value === undefined) return {identity: {}, problem: `the check did not see its ${column}`};
	if (kind !== 'session') return {identity: {[column]: value}};
	if (!Number.isInteger(Number(value))) return {identity: {}, problem: `${formatValue(value)} is not a backend pid`};
	if (row.backend_start === null || row.backend_start === undefined)
		return {identity: {pid: Number(value)}, problem: `the check did not record when session ${formatValue(value)} started: pg500 cannot tell it from a recycled pid`};
	const identity: Row = {pid: Number(value), backend_start: row.backend_start};
	for (const column of ['xact_start', 'query_start']) if (column in row) identity[column] = row[column] ?? null;
	return {identity};
}

export function targetKey(kind: ActionTarget, row: Row): string {
	return `${kind === 'session' ? 'pid' : kind} ${formatValue(row[actionTargetColumn[kind]])}`;
}

/** Which targets are finished: acted on, or found gone; a failure or a refusal may be tried again. */
const settled = (r: ActionRecord) => r.status === 'done' || r.status === 'skipped';

/** The rows of the action's finding that are targets: flagged at warning or worse, and `when` holds. */
function evidenceRows(state: RunState, action: GuardedAction): {rows: Row[]; problem?: string} {
	const dot = action.finding.lastIndexOf('.');
	const stepId = action.finding.slice(0, dot);
	const step = state.steps[stepId];
	const rule = findStep(state.runbook, stepId)?.step.rules.find(r => r.id === action.finding.slice(dot + 1));
	if (!step || !rule) return {rows: [], problem: `no finding ${action.finding} in the runbook`};
	if (step.status === 'pending' || step.status === 'skipped') return {rows: [], problem: `${stepId} has not run`};
	if (step.status === 'running') return {rows: [], problem: `${stepId} is running`};
	if (step.error) return {rows: [], problem: `${stepId} could not run: ${step.error.message}`};
	const lookup: Lookup = ref => seenValue(state, ref);
	const rows = judgeRule(rule, step.rows, step.rowCount, state.runbook.thresholds, lookup)
		.filter(m => atLeast(m.severity, 'warning'))
		.map(m => m.row)
		.filter(row => !action.when || holds(action.when, row, step.rowCount, state.runbook.thresholds, lookup));
	return {rows, problem: rows.length === 0 ? `${stepId} found nothing for it to act on` : undefined};
}

/** Plans made, per state and fix: a state never changes once made, and a screen asks for its plans several times a frame. */
const planned = new WeakMap<RunState, Map<string, PlannedAction[]>>();

/** Every guarded action of the fix, bound to the evidence as the state has it now. */
export function planActions(state: RunState, fixId: string): PlannedAction[] {
	let byFix = planned.get(state);
	if (!byFix) planned.set(state, (byFix = new Map()));
	let plans = byFix.get(fixId);
	if (!plans) byFix.set(fixId, (plans = planNow(state, fixId)));
	return plans;
}

function planNow(state: RunState, fixId: string): PlannedAction[] {
	const fix = state.runbook.fixes.find(f => f.id === fixId);
	if (!fix) return [];
	const lookup: Lookup = ref => seenValue(state, ref);
	const major = serverMajor(state);
	const permissions = state.permissions[fixId] ?? [];
	const {thresholds} = state.runbook;
	return guardedActions(fix).map((action, index) => {
		const records = state.actions.filter(r => r.fixId === fixId && r.actionId === action.id);
		const evidence = evidenceRows(state, action);
		const targets = evidence.rows.map((row): PlannedTarget => {
			const key = targetKey(action.target, row);
			const {identity, problem: identityProblem} = identityOf(action.target, row);
			const touches = fillTemplate(action.touches ?? defaultTouches[action.target], row, 1, thresholds, lookup);
			const sqlTemplate = major === undefined ? undefined : pickQuery(action.sql, major);
			const fillProblem = sqlTemplate === undefined ? `no SQL for PostgreSQL ${major ?? '(version not known yet)'}` : unfillable(sqlTemplate, row, lookup, thresholds);
			const sql = sqlTemplate !== undefined && !fillProblem ? fillTemplate(sqlTemplate, row, 1, thresholds, lookup) : undefined;
			const done = records.find(r => settled(r) && targetKey(action.target, r.target) === key);
			const permission = permissions.find(p => p.actionId === action.id && p.target === key);
			const problem =
				identityProblem ??
				fillProblem ??
				(done ? `${done.status === 'done' ? 'done' : 'skipped'} at ${done.confirmedAt.slice(11, 19)} UTC: ${done.result}` : undefined) ??
				(permission === undefined ? 'privileges not checked yet' : permission.allowed ? undefined : (permission.reason ?? 'not permitted'));
			return {key, row, identity, sql, touches, problem, grant: permission && !permission.allowed ? permission.grant : undefined};
		});
		const ready = targets.filter(t => !t.problem);
		const blocked = targets.find(t => t.problem);
		const unavailable = ready.length > 0 ? undefined : (evidence.problem ?? blocked?.problem);
		return {
			number: index + 1,
			id: action.id,
			fixId,
			kind: action.target,
			title: fillTemplate(action.title, {}, 0, thresholds, lookup),
			targets,
			ready,
			unavailable,
			grant: ready.length > 0 ? undefined : blocked?.grant,
			records,
		};
	});
}

/** The privilege facts an action check reads from the server (postgres/action-privileges.ts). */
export interface PrivilegeFacts {
	role: string;
	superuser: boolean;
	createrole: boolean;
	/** Member of pg_signal_backend (may signal any non-superuser backend). */
	signal: boolean;
	serverVersionNum: number;
	database: string;
	databaseOwner: string;
	/** Has the privileges of the database's owner. */
	ownsDatabase: boolean;
	/** The roles the targets name. */
	roles: {role: string; exists: boolean; superuser: boolean; member: boolean; admin: boolean}[];
}

/** The roles a privilege check must read: those of the targets (a session's role, a role target). */
export function rolesOfTargets(plans: PlannedAction[]): string[] {
	const roles = new Set<string>();
	for (const plan of plans) for (const t of plan.targets) if (typeof t.row.role === 'string') roles.add(t.row.role);
	return [...roles];
}

/**
 * Whether the connected role may take each action on each target, by
 * PostgreSQL's rules: ending or cancelling a session takes a superuser, the
 * privileges of the session's role, or pg_signal_backend (never for a
 * superuser's session); ALTER ROLE … SET a superuser, or CREATEROLE (with
 * ADMIN OPTION on the role from 16 on); ALTER DATABASE … SET the database's
 * owner or a superuser.
 */
export function decidePermissions(plans: PlannedAction[], facts: PrivilegeFacts): ActionPermission[] {
	const me = quoteIdent(facts.role);
	const roleFacts = (name: Value | undefined) => facts.roles.find(r => r.role === name);
	const decide = (kind: ActionTarget, row: Row): Omit<ActionPermission, 'actionId' | 'target'> => {
		if (facts.superuser) return {allowed: true};
		const target = roleFacts(row.role);
		switch (kind) {
			case 'session': {
				if (target?.superuser) return {allowed: false, reason: `session of superuser ${quoteIdent(String(row.role))}: only a superuser may end or cancel it`};
				if (target?.member || facts.signal) return {allowed: true};
				return {
					allowed: false,
					reason: `role ${me} may not signal ${target ? `${quoteIdent(target.role)}'s sessions` : 'this session'}: that takes pg_signal_backend, the privileges of the session's role, or a superuser`,
					grant: `GRANT pg_signal_backend TO ${me};`,
				};
			}
			case 'role': {
				if (!target?.exists) return {allowed: false, reason: `role ${quoteIdent(String(row.role))} does not exist`};
				if (target.superuser) return {allowed: false, reason: `${quoteIdent(target.role)} is a superuser: only a superuser may change its settings`};
				const admin = facts.serverVersionNum < 160000 || target.admin;
				if (facts.createrole && admin) return {allowed: true};
				return {
					allowed: false,
					reason: `role ${me} may not change the settings of ${quoteIdent(target.role)}: ALTER ROLE … SET takes a superuser, or CREATEROLE${facts.serverVersionNum >= 160000 ? ' with ADMIN OPTION on the role' : ''}`,
					grant: `ALTER ROLE ${me} CREATEROLE;${facts.serverVersionNum >= 160000 ? ` GRANT ${quoteIdent(target.role)} TO ${me} WITH ADMIN OPTION;` : ''}`,
				};
			}
			case 'database': {
				if (row.database !== facts.database) return {allowed: false, reason: `pg500 is connected to ${quoteIdent(facts.database)}, not ${quoteIdent(String(row.database))}`};
				if (facts.ownsDatabase) return {allowed: true};
				return {
					allowed: false,
					reason: `only the owner of database ${quoteIdent(facts.database)} (${quoteIdent(facts.databaseOwner)}) or a superuser may change its settings`,
					grant: `GRANT ${quoteIdent(facts.databaseOwner)} TO ${me};`,
				};
			}
		}
	};
	return plans.flatMap(plan => plan.targets.map(t => ({actionId: plan.id, target: t.key, ...decide(plan.kind, t.row)})));
}
