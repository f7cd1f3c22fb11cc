import type {RunnableStep} from '../runbook/schema.ts';
import type {RunState, StepError, StepOutcome, TargetInfo} from '../engine/types.ts';
import type {Executor} from './executor.ts';
import type {SafeSession} from '../postgres/session.ts';
import {connectionLost} from '../postgres/session.ts';
import {failureHint, failureRow, type ConnectFailure} from '../postgres/classify.ts';
import type {OwnSession} from '../logs/postgres-log.ts';
import {applicationName} from '../postgres/target.ts';
import {connectSql, missingPrivilegeNotices, privilegesOf} from '../postgres/privileges.ts';
import {majorVersion, pickQuery, shortVersion} from '../postgres/version.ts';
import {plainRows, shapeResult} from '../postgres/rows.ts';
import {escapeUntrusted} from '../text/escape.ts';

/** The logs the operator named, and how much of them to read. */
export interface LogSources {
	serverLog?: string;
	pgLog?: string;
	tailBytes: number;
	sinceMinutes?: number;
}

const nothing: StepOutcome = {rows: [], rowCount: 0};

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

/** Runs connect, sql and log steps against one target through the safe session. */
export class SqlExecutor implements Executor {
	private knownVersion: string | null = null;
	/** Every backend pg500 has had (a reconnect adds one): its own lines in the server log are not evidence. */
	private readonly ownSessions: OwnSession[] = [];

	constructor(
		readonly target: TargetInfo,
		private readonly session: SafeSession,
		private readonly logs: LogSources,
		private readonly statementMs: number,
	) {}

	serverVersion(): string | null {
		const version = this.session.info?.server_version;
		if (typeof version === 'string') this.knownVersion = shortVersion(version);
		return this.knownVersion;
	}

	setLogPath(source: 'server-log' | 'postgres-log', path: string | undefined): void {
		if (source === 'server-log') this.logs.serverLog = path;
		else this.logs.pgLog = path;
	}

	async run(step: RunnableStep, _stepId: string, _state: RunState): Promise<StepOutcome> {
		switch (step.kind) {
			case 'connect':
				return this.connect(step);
			case 'sql':
				return this.sql(step);
			case 'log':
				return this.log(step);
			case 'manual':
			case 'info':
				return nothing;
		}
	}

	/** The session, connected if it can be; notes the backend it is on. */
	private async ensureConnected(): Promise<ConnectFailure | undefined> {
		const failure = await this.session.ensureConnected();
		this.noteOwnSession();
		return failure;
	}

	private noteOwnSession(): void {
		const pid = Number(this.session.info?.backend_pid);
		if (Number.isInteger(pid) && pid > 0 && !this.ownSessions.some(s => s.pid === pid)) this.ownSessions.push({pid, since: new Date()});
	}

	private async connect(step: RunnableStep): Promise<StepOutcome> {
		const failure = await this.ensureConnected();
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

	private async sql(step: RunnableStep): Promise<StepOutcome> {
		const failure = await this.ensureConnected();
		if (failure) {
			const error: StepError = {
				message: 'not run: no connection to the target',
				hint: `${failure.failure}: ${failureHint(failure.failure)}`,
			};
			return {...nothing, error};
		}
		const info = this.session.info!;
		const major = majorVersion(Number(info.server_version_num));
		const sql = step.query === undefined ? undefined : pickQuery(step.query, major);
		if (sql === undefined) return {...nothing, error: {message: `the runbook has no query for PostgreSQL ${major} in this step`}};
		const notices = missingPrivilegeNotices(step.needs, privilegesOf(info));
		try {
			const result = await this.session.query(sql);
			return {...shapeResult(result), query: sql, notices};
		} catch (thrown) {
			const e = thrown as {message?: string; code?: string};
			const message = escapeUntrusted(e.message ?? String(thrown));
			if (connectionLost(thrown))
				return {...nothing, query: sql, notices, error: {message: `the connection was lost: ${message}`, hint: 'pg500 reconnects once and goes on with the next step'}};
			return {...nothing, query: sql, notices, error: {message, sqlstate: e.code, hint: errorHint(e.code, this.statementMs)}};
		}
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
