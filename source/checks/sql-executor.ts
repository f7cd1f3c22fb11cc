import type {RunnableStep} from '../runbook/schema.ts';
import type {ActionTarget} from '../runbook/schema.ts';
import type {Notice, Pooler, Row, RunState, StepOutcome, TargetInfo} from '../engine/types.ts';
import type {PlannedTarget, PrivilegeFacts} from '../engine/actions.ts';
import type {ActionOutcome, Executor, RunOptions} from './executor.ts';
import {actionResult, guardRefusal, guardSettings, guardSql, privilegeFactsOf, privilegeFactsSql, privilegeSettings} from './action-sql.ts';
import type {CheckSettings, SafeSession} from '../postgres/session.ts';
import {connectionLost} from '../postgres/session.ts';
import {failureHint, failureRow, type ConnectFailure} from '../postgres/classify.ts';
import type {OwnSession} from '../logs/postgres-log.ts';
import {applicationName} from '../postgres/target.ts';
import {connectSql, missingPrivilegeNotices, privilegesOf} from '../postgres/privileges.ts';
import {majorVersion, shortVersion} from '../postgres/version.ts';
import {pickQuery} from '../runbook/query-variant.ts';
import {plainRows, shapeResult} from '../postgres/rows.ts';
import {escapeUntrusted} from '../text/escape.ts';
import {quoteIdent} from '../sql/quote.ts';
import {readingOf, type WatchRead} from '../watch/reading.ts';
import {watchSql} from '../watch/watch-sql.ts';
import type {ResolvedTarget} from '../postgres/target.ts';
import {runPgBouncerStep} from './pgbouncer-step.ts';

/** The logs the operator named, and how much of them to read. */
export interface LogSources {
	serverLog?: string;
	pgLog?: string;
	tailBytes: number;
	sinceMinutes?: number;
}

const nothing: StepOutcome = {rows: [], rowCount: 0};

const clockTime = () => `${new Date().toISOString().slice(11, 19)} UTC`;

function errorHint(sqlstate: string | undefined, statementMs: number): string | undefined {
	switch (sqlstate) {
		case '57014':
			return `the check ran longer than ${statementMs} ms and was cancelled: the server is slow or overloaded; --statement-timeout raises the cap`;
		case '55P03':
			return 'the check waited for a lock and gave up rather than queue behind the sessions it diagnoses: see the locks step';
		case '42501':
			return 'the role lacks a privilege this check needs';
		case '42P01':
		case '42703':
		case '42883':
			return 'the query does not fit this server version or schema: check the runbook';
		default:
			return undefined;
	}
}

/**
 * What a check's SQL can read with current_setting(): every threshold of the
 * runbook as `pg500.<name>` (one source of truth for a figure the SQL must
 * count against, such as "waiting for more than 1 s"), and the roles the
 * operator named as the application's as a JSON array in `pg500.app_roles`.
 */
export function checkSettings(thresholds: Record<string, number>, appRoles: readonly string[]): CheckSettings {
	const settings: CheckSettings = {'pg500.app_roles': JSON.stringify(appRoles)};
	for (const [name, value] of Object.entries(thresholds)) settings[`pg500.${name}`] = String(value);
	return settings;
}

/** Another role (a name) or target (a URL) the operator typed, with the password typed for it (kept in memory only). */
export interface Login {
	login: string;
	password?: string;
}

/**
 * A new, unopened session: for the target (no login), or for a login the
 * operator typed. Throws a UsageError for a login that is no valid URL.
 */
export type SessionFactory = (login?: Login) => {info: TargetInfo; session: SafeSession};

/** What a role without pg_read_all_stats does not see of other roles' sessions, and the GRANT that shows it. */
function hiddenFromWatch(info: Row): string | undefined {
	const p = privilegesOf(info);
	if (p.superuser || p.pg_monitor || p.pg_read_all_stats) return undefined;
	const role = escapeUntrusted(quoteIdent(p.role));
	return `role ${role} lacks pg_read_all_stats: other roles' sessions show no state, so only its own are counted idle in transaction or waiting on a lock; GRANT pg_read_all_stats TO ${role};`;
}

/** Runs connect, sql and log steps against one target through the safe session. */
export class SqlExecutor implements Executor {
	/** The login the session uses now, when the operator reconnected as another role. */
	private login: Login | undefined;
	private current: TargetInfo;
	private knownVersion: string | null = null;
	/** Connected at least once: a later failure is the target lost mid-run, not unreachable from the start. */
	private connectedOnce = false;
	/** When the connection was last found gone (HH:MM:SS UTC), and whether a reconnect then failed. */
	private lost: {at: string; gone: boolean} | undefined;
	/** Every backend pg500 has had (a reconnect adds one): its own lines in the server log are not evidence. */
	private readonly ownSessions: OwnSession[] = [];
	/** PgBouncer's console (--pgbouncer-url) answered at the address pg500 connects to. */
	private consoleConfirmed = false;
	/**
	 * A change of session under way (a reconnect as another role, a new
	 * session after an action): a watch sample waits for it rather than read
	 * on the session being closed.
	 */
	private switching: Promise<unknown> = Promise.resolve();
	/** The rollbacks of the sessions pg500 replaced: the server counted them all when their backends ended. */
	private rollbacksOfReplaced = 0;

	constructor(
		readonly target: TargetInfo,
		private session: SafeSession,
		private readonly logs: LogSources,
		private readonly statementMs: number,
		/** Roles the operator named as the application's (--app-role, the user of a --postgres-url). */
		private readonly appRoles: readonly string[] = [],
		/** PgBouncer's admin console (--pgbouncer-url), read on a connection of its own. */
		private readonly pgbouncerConsole?: ResolvedTarget,
		/** Sessions for other logins: without it, the executor cannot reconnect as another role. */
		private readonly sessionFor?: SessionFactory,
	) {
		this.current = target;
	}

	connectedAs(): TargetInfo {
		return this.current;
	}

	pooler(): Pooler | null {
		return this.session.pooler ?? (this.consoleConfirmed ? 'pgbouncer' : null);
	}

	serverVersion(): string | null {
		const version = this.session.info?.server_version;
		if (typeof version === 'string') this.knownVersion = shortVersion(version);
		return this.knownVersion;
	}

	setLogPath(source: 'server-log' | 'postgres-log', path: string | undefined): void {
		if (source === 'server-log') this.logs.serverLog = path;
		else this.logs.pgLog = path;
	}

	async run(step: RunnableStep, _stepId: string, state: RunState, options: RunOptions = {}): Promise<StepOutcome> {
		switch (step.kind) {
			case 'connect':
				return options.fresh ? this.connectAgain(step) : this.connect(step);
			case 'sql':
				return this.sql(step, checkSettings(state.runbook.thresholds, this.appRoles));
			case 'log':
				return this.log(step);
			case 'pgbouncer':
				return this.pgbouncer();
			case 'manual':
			case 'info':
				return nothing;
		}
	}

	private async connect(step: RunnableStep): Promise<StepOutcome> {
		const failure = await this.connection();
		if (failure) {
			const row = failureRow(failure);
			return {rows: [row], rowCount: 1, columns: Object.keys(row)};
		}
		const info = this.session.info!;
		return {
			rows: [info],
			rowCount: 1,
			columns: Object.keys(info),
			query: connectSql,
			notices: missingPrivilegeNotices(step.needs, privilegesOf(info)),
		};
	}

	/**
	 * A verification of the connect step: can the role the diagnosis used
	 * connect now? When the operator reconnected as another role (a full
	 * server's reserved slots), pg500 goes back to the target's own role —
	 * one connection at a time — and stays there once it is let in; refused,
	 * it takes the other role's connection again.
	 */
	private async connectAgain(step: RunnableStep): Promise<StepOutcome> {
		if (!this.login || !this.sessionFor) {
			if (!(await this.connection())) await this.session.lookAgain();
			return this.connect(step);
		}
		const {sessionFor} = this;
		const other = this.login;
		// Whether the target's own role is let in says nothing about the connection being lost.
		const lost = this.lost;
		return this.switchSession(async () => {
			await this.session.closeInTurn();
			this.useSession(sessionFor(), undefined);
			const outcome = await this.connect(step);
			if (!this.session.info) {
				this.useSession(sessionFor(other), other);
				await this.connection();
			}
			this.lost = lost;
			return outcome;
		});
	}

	/** Runs `change`, which closes the session (after what was asked of it) and takes another, while watch samples wait. */
	private switchSession<T>(change: () => Promise<T>): Promise<T> {
		const done = this.switching.then(change);
		this.switching = done.catch(() => undefined);
		return done;
	}

	private useSession(next: {info: TargetInfo; session: SafeSession}, login: Login | undefined): void {
		this.rollbacksOfReplaced += this.session.rollbacks;
		this.session = next.session;
		this.current = next.info;
		this.login = login;
	}

	async reconnect(login: string, password: string | undefined): Promise<string | undefined> {
		if (!this.sessionFor) return 'this session cannot connect as another role';
		let next: {info: TargetInfo; session: SafeSession};
		const wanted: Login = {login, password};
		try {
			next = this.sessionFor(wanted);
		} catch (error) {
			return (error as Error).message;
		}
		const previous = this.login;
		const {sessionFor} = this;
		return this.switchSession(async () => {
			// One connection at a time: the old one goes first (on a full server it holds nothing anyway).
			await this.session.closeInTurn();
			const failure = await next.session.ensureConnected();
			if (failure) {
				this.useSession(sessionFor(previous), previous);
				return escapeUntrusted(`${next.info.user}@${next.info.host}:${next.info.port}/${next.info.database} refused too (${failure.failure}): ${failure.message}`);
			}
			this.useSession(next, wanted);
			this.noteOwnSession();
			return undefined;
		});
	}

	async privileges(roles: readonly string[]): Promise<PrivilegeFacts | {problem: string}> {
		const failure = await this.connection();
		if (failure) return {problem: `no connection: ${failure.message}`};
		try {
			const [row] = plainRows(await this.session.query(privilegeFactsSql, privilegeSettings(roles)));
			return row ? privilegeFactsOf(row) : {problem: 'the privileges could not be read'};
		} catch (error) {
			return {problem: escapeUntrusted((error as Error).message ?? String(error))};
		}
	}

	async act(kind: ActionTarget, target: PlannedTarget): Promise<ActionOutcome> {
		const sql = target.sql;
		if (!sql) return {status: 'failed', result: 'not run', error: target.problem ?? 'no SQL for this target'};
		const failure = await this.connection();
		if (failure) return {status: 'failed', result: 'not run', error: `no connection: ${failure.message}`};
		let outcome: ActionOutcome;
		try {
			outcome = await this.session.act(guardSettings(kind, target.identity), async run => {
				const [now = {}] = plainRows(await run(guardSql(kind)));
				const verdict = String(now.verdict);
				if (verdict !== 'same') return {commit: false, value: {status: 'skipped' as const, result: guardRefusal(kind, target.identity, verdict, now), error: null}};
				const result = await run(sql);
				const said = actionResult(plainRows(result) as Row[], result.command ?? null);
				return {commit: said.status === 'done', value: {...said, error: null}};
			});
		} catch (thrown) {
			const e = thrown as {message?: string; code?: string};
			const message = escapeUntrusted(e.message ?? String(thrown));
			return {status: 'failed', result: 'PostgreSQL refused it; the transaction was rolled back', error: e.code ? `${message} (SQLSTATE ${e.code})` : message};
		}
		// A session takes its role's and database's settings when it starts: pg500's own would go on
		// judging the old ones. A new one (still one at a time) sees what the application's new sessions get.
		const {sessionFor} = this;
		if (outcome.status === 'done' && kind !== 'session' && sessionFor) {
			await this.switchSession(async () => {
				await this.session.closeInTurn();
				this.useSession(sessionFor(this.login), this.login);
			});
		}
		return outcome;
	}

	private async sql(step: RunnableStep, settings: CheckSettings): Promise<StepOutcome> {
		const failure = await this.connection();
		if (failure) {
			const hint = `${failure.failure}: ${failureHint(failure.failure)}`;
			if (this.lost?.gone) return {...nothing, error: {message: `not run: the target was lost at ${this.lost.at}`, hint}, notices: [this.lostNotice(failure)]};
			if (this.lost) return {...nothing, error: {message: `not run: the connection dropped again at ${this.lost.at} and pg500 reconnects only once`, hint}};
			return {...nothing, error: {message: 'not run: no connection to the target', hint}};
		}
		const info = this.session.info!;
		const major = majorVersion(Number(info.server_version_num));
		const sql = step.query === undefined ? undefined : pickQuery(step.query, major);
		if (sql === undefined) return {...nothing, error: {message: `the runbook has no query for PostgreSQL ${major} in this step`}};
		const notices = missingPrivilegeNotices(step.needs, privilegesOf(info));
		try {
			const result = await this.session.query(sql, settings);
			return {...shapeResult(result), query: sql, notices};
		} catch (thrown) {
			const e = thrown as {message?: string; code?: string};
			const message = escapeUntrusted(e.message ?? String(thrown));
			if (!connectionLost(thrown)) return {...nothing, query: sql, notices, error: {message, sqlstate: e.code, hint: errorHint(e.code, this.statementMs)}};
			this.lost = {at: clockTime(), gone: false};
			// Reconnect at once: whether the target is back says what the loss means.
			const again = await this.connection();
			const error = {
				message: `the connection was lost: ${message}`,
				hint: !again ? 'pg500 reconnected and goes on; r runs this step again' : this.lost.gone ? 'the target did not come back' : 'pg500 reconnects only once: the steps after this one do not run',
			};
			return {...nothing, query: sql, error, notices: [...notices, again && this.lost.gone ? this.lostNotice(again) : this.droppedNotice(!again)]};
		}
	}

	/**
	 * The connection, opened (or reopened once after a loss) on demand, its backend
	 * noted as pg500's own; why not, when there is none. A reconnect that was tried
	 * and failed means the target is gone, not just this connection.
	 */
	private async connection() {
		const tries = this.session.usable;
		const failure = await this.session.ensureConnected();
		this.noteOwnSession();
		if (!failure) this.connectedOnce = true;
		else if (this.lost) this.lost.gone ||= tries;
		else if (this.connectedOnce) this.lost = {at: clockTime(), gone: tries};
		return failure;
	}

	private async pgbouncer(): Promise<StepOutcome> {
		const failure = await this.connection();
		const {outcome, confirmsTarget} = await runPgBouncerStep({
			console: this.pgbouncerConsole,
			pooler: this.session.pooler,
			connected: !failure || this.connectedOnce,
			target: this.target,
			timeoutMs: this.statementMs,
		});
		if (confirmsTarget) this.consoleConfirmed = true;
		return outcome;
	}

	private noteOwnSession(): void {
		// Behind a pooler a backend serves pg500 one moment and denokv the next: its pid says nothing.
		if (this.session.pooler) return;
		const pid = Number(this.session.info?.backend_pid);
		if (Number.isInteger(pid) && pid > 0 && !this.ownSessions.some(s => s.pid === pid)) this.ownSessions.push({pid, since: new Date()});
	}

	private lostNotice(failure: ConnectFailure): Notice {
		if (failure.failure.startsWith('pooler-') || failure.failure === 'no-answer')
			return {
				id: 'pooler-lost',
				severity: 'critical',
				message: escapeUntrusted(
					`pg500's connection stopped being served at ${this.lost?.at} and a new one was not served either (${failure.failure}: ${failure.message}): ${failureHint(failure.failure)}.`,
				),
			};
		return {
			id: 'target-lost',
			severity: 'critical',
			message: escapeUntrusted(
				`The target was lost during the run at ${this.lost?.at} and cannot be reached again (${failure.failure}: ${failure.message}): PostgreSQL stopped, crashed, restarted or became unreachable while pg500 was running.`,
			),
		};
	}

	private droppedNotice(reconnected: boolean): Notice {
		return {
			id: 'connection-dropped',
			severity: 'warning',
			message: reconnected
				? `The connection dropped at ${this.lost?.at} and pg500 reconnected at once: a restart, a failover, a terminated session or a network cut.`
				: `The connection dropped again at ${this.lost?.at}: something keeps ending pg500's session (an administrator, a pooler, a network cut); pg500 does not reconnect a second time.`,
		};
	}

	async readWatch(thresholds: Record<string, number>): Promise<WatchRead> {
		await this.switching;
		// Lost between two samples (the server ended it while idle): said first, and taken again at the next sample.
		const lost = this.session.lostBecause;
		if (lost && this.session.usable && !this.lost) {
			this.lost = {at: clockTime(), gone: false};
			return {kind: 'dropped', message: escapeUntrusted(`${lost.failure}: ${lost.message}`)};
		}
		const tries = this.session.usable;
		const failure = await this.connection();
		if (failure) {
			const why = `${failure.failure}: ${failure.message}`;
			if (!this.connectedOnce) return {kind: 'unreachable', message: escapeUntrusted(why)};
			return {
				kind: 'gone',
				message: escapeUntrusted(tries ? `the target did not come back (${why})` : `the connection dropped again and pg500 reconnects only once (${why})`),
			};
		}
		const info = this.session.info!;
		try {
			const {result, settledBefore} = await this.session.queryCounting(watchSql, checkSettings(thresholds, this.appRoles));
			return {kind: 'read', reading: readingOf(plainRows(result)[0], this.rollbacksOfReplaced + settledBefore), hidden: hiddenFromWatch(info)};
		} catch (thrown) {
			const e = thrown as {message?: string; code?: string};
			const message = escapeUntrusted(e.message ?? String(thrown));
			if (!connectionLost(thrown)) return {kind: 'failed', message: [message, errorHint(e.code, this.statementMs)].filter(Boolean).join(': ')};
			// Reconnected at the next read, not at once: a server that restarts needs a moment.
			this.lost = {at: clockTime(), gone: false};
			return {kind: 'dropped', message};
		}
	}

	followableServerLog(): string | undefined {
		return this.logs.serverLog === '-' ? undefined : this.logs.serverLog;
	}

	private async log(step: RunnableStep): Promise<StepOutcome> {
		const {runLogStep} = await import('../logs/run-log-step.ts');
		const session = this.session;
		return runLogStep(step, {
			...this.logs,
			own: {application: applicationName, sessions: this.ownSessions},
			sql: session.usable
				? async (text: string) => {
						const rows = plainRows(await session.query(text));
						// A reconnect while reading is a backend of pg500's too, before its lines are classified.
						this.noteOwnSession();
						return rows;
					}
				: undefined,
		});
	}

	close(): Promise<void> {
		return this.session.close();
	}
}
