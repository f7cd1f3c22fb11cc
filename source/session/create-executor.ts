import {targetUrl, type TargetOptions} from './options.ts';
import type {Executor} from '../checks/executor.ts';
import {SqlExecutor, type Login} from '../checks/sql-executor.ts';
import {resolveTarget, type ResolvedTarget} from '../postgres/target.ts';
import {lookupPgpass, pgpassPath} from '../postgres/pgpass.ts';
import {resolveConsole} from '../postgres/pgbouncer-console.ts';
import {defaultLockTimeoutMs, SafeSession} from '../postgres/session.ts';

/**
 * The executor for a live target: the target is resolved now (a malformed URL
 * is a UsageError before anything runs); the connection opens on the first
 * connect or sql step.
 */
export function createExecutor(options: TargetOptions & {postgresUrl?: string}, env: NodeJS.ProcessEnv = process.env): Executor {
	const url = targetUrl(options);
	const timeouts = {statementMs: options.statementTimeout, lockMs: defaultLockTimeoutMs};
	const target = resolveTarget(url, env);
	const {info} = target;
	const open = ({info, config, fallback}: ResolvedTarget) => ({info, session: new SafeSession(config, timeouts, fallback)});
	/** The target, or another role on it (a name) or another target (a URL), with the password typed for it. */
	const sessionFor = (login?: Login) => {
		if (!login) return open(target);
		const asUrl = /^postgres(ql)?:\/\//i.test(login.login);
		const other: ResolvedTarget = asUrl ? resolveTarget(login.login, {...env, PGPASSWORD: undefined}) : {...target, info: {...info, user: login.login}};
		// A password typed at the prompt wins; none typed: the URL's, else ~/.pgpass as libpq does (never the target's own).
		const password = login.password ?? (asUrl ? undefined : async () => (await lookupPgpass(pgpassPath(env), {...info, user: login.login})) ?? '');
		const as = (config: ResolvedTarget['config']) => ({...config, ...(asUrl ? {} : {user: login.login}), ...(password === undefined ? {} : {password})});
		return open({...other, config: as(other.config), fallback: other.fallback && as(other.fallback)});
	};
	const {session} = open(target);
	const pgbouncerConsole = options.pgbouncerUrl === undefined ? undefined : resolveConsole(options.pgbouncerUrl);
	const logs = {
		serverLog: options.serverLog,
		pgLog: options.pgLog,
		tailBytes: options.logTailMb * 1024 * 1024,
		sinceMinutes: options.logSince !== undefined && Number.isFinite(options.logSince) ? options.logSince : undefined,
	};
	// denokv's own URL (--postgres-url) names the application's role, even when pg500 then connects as it.
	const appRoles = [...(options.appRole ?? []), ...(options.postgresUrl && !options.url ? [info.user] : [])];
	return new SqlExecutor(info, session, logs, options.statementTimeout, appRoles, pgbouncerConsole, sessionFor);
}
