import {targetUrl, type TargetOptions} from './options.ts';
import type {Executor} from '../checks/executor.ts';
import {SqlExecutor} from '../checks/sql-executor.ts';
import {resolveTarget} from '../postgres/target.ts';
import {resolveConsole} from '../postgres/pgbouncer-console.ts';
import {defaultLockTimeoutMs, SafeSession} from '../postgres/session.ts';

/**
 * The executor for a live target: the target is resolved now (a malformed URL
 * is a UsageError before anything runs); the connection opens on the first
 * connect or sql step.
 */
export function createExecutor(options: TargetOptions & {postgresUrl?: string}, env: NodeJS.ProcessEnv = process.env): Executor {
	const {info, config, fallback} = resolveTarget(targetUrl(options), env);
	const pgbouncerConsole = options.pgbouncerUrl === undefined ? undefined : resolveConsole(options.pgbouncerUrl);
	const session = new SafeSession(config, {statementMs: options.statementTimeout, lockMs: defaultLockTimeoutMs}, fallback);
	const logs = {
		serverLog: options.serverLog,
		pgLog: options.pgLog,
		tailBytes: options.logTailMb * 1024 * 1024,
		sinceMinutes: options.logSince !== undefined && Number.isFinite(options.logSince) ? options.logSince : undefined,
	};
	// denokv's own URL (--postgres-url) names the application's role, even when pg500 then connects as it.
	const appRoles = [...(options.appRole ?? []), ...(options.postgresUrl && !options.url ? [info.user] : [])];
	return new SqlExecutor(info, session, logs, options.statementTimeout, appRoles, pgbouncerConsole);
}
