import type {PrivilegeFacts} from '../engine/actions.ts';
import type {ActionStatus, Row, Value} from '../engine/types.ts';
import type {ActionTarget} from '../runbook/schema.ts';
import type {CheckSettings} from '../postgres/session.ts';

/* The SQL pg500 itself sends around an action: what the connected role may
 * do (read before the action is offered), and the guard that runs first in
 * the action's own transaction — is the target still what the diagnosis
 * saw? The values travel as pg500.* settings of that transaction, never
 * spliced into the SQL. */

/** The role's privileges for acting, and those of the roles the targets name (`pg500.action_roles`, a JSON array). */
export const privilegeFactsSql = `SELECT current_user::text AS role, r.rolsuper AS superuser, r.rolcreaterole AS createrole,
	pg_has_role(current_user, 'pg_signal_backend', 'USAGE') AS signal,
	current_setting('server_version_num')::int AS server_version_num,
	current_database()::text AS database,
	(SELECT o.rolname::text FROM pg_database d JOIN pg_roles o ON o.oid = d.datdba WHERE d.datname = current_database()) AS database_owner,
	(SELECT pg_has_role(current_user, d.datdba, 'USAGE') FROM pg_database d WHERE d.datname = current_database()) AS owns_database,
	(SELECT coalesce(json_agg(json_build_object(
			'role', t.name, 'exists', o.oid IS NOT NULL, 'superuser', coalesce(o.rolsuper, false),
			'member', coalesce(pg_has_role(current_user, o.oid, 'USAGE'), false),
			'admin', coalesce(pg_has_role(current_user, o.oid, 'MEMBER WITH ADMIN OPTION'), false))), '[]'::json)
		FROM json_array_elements_text(current_setting('pg500.action_roles')::json) AS t(name)
		LEFT JOIN pg_roles o ON o.rolname = t.name)::text AS roles
FROM pg_roles r WHERE r.rolname = current_user`;

export function privilegeSettings(roles: readonly string[]): CheckSettings {
	return {'pg500.action_roles': JSON.stringify(roles)};
}

export function privilegeFactsOf(row: Row): PrivilegeFacts {
	return {
		role: String(row.role),
		superuser: row.superuser === true,
		createrole: row.createrole === true,
		signal: row.signal === true,
		serverVersionNum: Number(row.server_version_num),
		database: String(row.database),
		databaseOwner: String(row.database_owner),
		ownsDatabase: row.owns_database === true,
		roles: JSON.parse(String(row.roles ?? '[]')) as PrivilegeFacts['roles'],
	};
}

/**
 * Is it still the same target? `same`, or why not: `gone` (no such session
 * or role), `recycled` (the pid is another session now), `moved-on` (the
 * session's transaction or query is not the one the diagnosis saw).
 */
const guards: Record<ActionTarget, string> = {
	session: `SELECT CASE
		WHEN a.pid IS NULL THEN 'gone'
		WHEN a.backend_start IS DISTINCT FROM current_setting('pg500.target_backend_start')::timestamptz THEN 'recycled'
		WHEN current_setting('pg500.target_xact_start') <> 'any'
			AND a.xact_start IS DISTINCT FROM nullif(current_setting('pg500.target_xact_start'), '')::timestamptz THEN 'moved-on'
		WHEN current_setting('pg500.target_query_start') <> 'any'
			AND a.query_start IS DISTINCT FROM nullif(current_setting('pg500.target_query_start'), '')::timestamptz THEN 'moved-on'
		ELSE 'same' END AS verdict,
		a.backend_start::text AS backend_start, a.xact_start::text AS xact_start, a.state
	FROM (SELECT current_setting('pg500.target_pid')::int AS pid) t
	LEFT JOIN pg_stat_activity a ON a.pid = t.pid`,
	role: `SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_setting('pg500.target_role')) THEN 'same' ELSE 'gone' END AS verdict`,
	database: `SELECT CASE WHEN current_database() = current_setting('pg500.target_database') THEN 'same' ELSE 'gone' END AS verdict`,
};

export function guardSql(kind: ActionTarget): string {
	return guards[kind];
}

const text = (value: Value | undefined) => (value === null || value === undefined ? '' : String(value));

/** The identity the guard compares, as settings: an absent column is `any`, a null one ''. */
export function guardSettings(kind: ActionTarget, identity: Row): CheckSettings {
	switch (kind) {
		case 'session':
			return {
				'pg500.target_pid': text(identity.pid),
				'pg500.target_backend_start': text(identity.backend_start),
				'pg500.target_xact_start': 'xact_start' in identity ? text(identity.xact_start) : 'any',
				'pg500.target_query_start': 'query_start' in identity ? text(identity.query_start) : 'any',
			};
		case 'role':
			return {'pg500.target_role': text(identity.role)};
		case 'database':
			return {'pg500.target_database': text(identity.database)};
	}
}

/** Why the guard held the action back, in the words of the record. */
export function guardRefusal(kind: ActionTarget, identity: Row, verdict: string, now: Row): string {
	if (kind !== 'session') return `${kind} ${text(identity[kind])} no longer exists: nothing was done`;
	const pid = text(identity.pid);
	switch (verdict) {
		case 'gone':
			return `pid ${pid} is gone: the session ended before the action; nothing was done`;
		case 'recycled':
			return `pid ${pid} is another session now (started ${text(now.backend_start)}; the diagnosis saw one started ${text(identity.backend_start)}): not touched`;
		default:
			return `session ${pid} has moved on (its transaction began ${text(now.xact_start) || 'never'}; the diagnosis saw ${text(identity.xact_start) || 'none'}): not touched`;
	}
}

/**
 * How an action's statement ended: a function that says false (a backend it
 * could not signal) failed; otherwise done, with the value or command tag.
 */
export function actionResult(rows: Row[], command: string | null): {status: ActionStatus; result: string} {
	const first = rows[0];
	if (!first) return {status: 'done', result: command ?? 'done'};
	const [[column, value] = ['', null]] = Object.entries(first);
	const said = `${column} returned ${value === true ? 'true' : value === false ? 'false' : text(value)}`;
	return {status: value === false ? 'failed' : 'done', result: said};
}
