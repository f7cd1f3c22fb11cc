import type {Privilege} from '../runbook/schema.ts';
import type {Notice, Row} from '../engine/types.ts';
import {escapeUntrusted} from '../text/escape.ts';
import {quoteIdent} from '../sql/quote.ts';

/* What the connected role may see. Read once per connection; a step whose
 * `needs` the role lacks says what is hidden and gives the exact GRANT, so it
 * is never "ok" on data it could not see. pg_has_role(…, 'USAGE') counts
 * inherited membership (pg_monitor brings pg_read_all_stats). The deadlock
 * counter at connect time lets a later rule see it rise during the run; the
 * backend pid tells pg500's own lines in the server log from the application's;
 * it also tells a pooler in front (PgBouncer announces a pid of its own at
 * login), as does the port PostgreSQL itself listens on. On a standby, where
 * it replicates from: connect-row.ts keeps the host and port of
 * primary_conninfo and drops the rest (it may carry a password). pg_settings
 * shows primary_conninfo only to roles that may read it. */

export const connectSql = `SELECT
	current_setting('server_version') AS server_version,
	current_setting('server_version_num')::int AS server_version_num,
	current_user::text AS current_user,
	current_database()::text AS database,
	(SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
	pg_has_role(current_user, 'pg_monitor', 'USAGE') AS pg_monitor,
	pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') AS pg_read_all_stats,
	pg_has_role(current_user, 'pg_read_server_files', 'USAGE') AS pg_read_server_files,
	pg_is_in_recovery() AS in_recovery,
	pg_backend_pid() AS backend_pid,
	inet_server_port() AS server_port,
	(SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()) AS deadlocks,
	(SELECT sender_host FROM pg_stat_wal_receiver) AS primary_sender_host,
	(SELECT sender_port FROM pg_stat_wal_receiver) AS primary_sender_port,
	(SELECT setting FROM pg_settings WHERE name = 'primary_conninfo') AS primary_conninfo`;

export interface Privileges {
	role: string;
	superuser: boolean;
	pg_monitor: boolean;
	pg_read_all_stats: boolean;
	pg_read_server_files: boolean;
}

export function privilegesOf(row: Row): Privileges {
	return {
		role: String(row.current_user),
		superuser: row.superuser === true,
		pg_monitor: row.pg_monitor === true,
		pg_read_all_stats: row.pg_read_all_stats === true,
		pg_read_server_files: row.pg_read_server_files === true,
	};
}

const hidden: Record<Privilege, string> = {
	superuser: 'what only a superuser may read',
	pg_monitor: "other roles' sessions, queries and the monitoring functions",
	pg_read_all_stats: "other roles' sessions and their queries in pg_stat_activity",
	pg_read_server_files: 'the server log files (pg_read_file)',
};

/** One warning notice per privilege in `needs` the role lacks (none for a superuser). */
export function missingPrivilegeNotices(needs: readonly Privilege[] | undefined, privileges: Privileges): Notice[] {
	if (!needs || privileges.superuser) return [];
	// pg_monitor includes pg_read_all_stats: a role that has it lacks nothing the smaller role gives.
	const has = (p: Privilege) => privileges[p] || (p === 'pg_read_all_stats' && privileges.pg_monitor);
	const role = escapeUntrusted(quoteIdent(privileges.role));
	return needs
		.filter(p => !has(p))
		.map(p => ({
			id: `needs-${p.replace(/_/g, '-')}`,
			severity: 'warning' as const,
			message:
				p === 'superuser'
					? `role ${role} is not a superuser, so this step cannot see ${hidden[p]}: run it as a superuser to see everything`
					: `role ${role} lacks ${p}, so this step cannot see ${hidden[p]}; to see everything run: GRANT ${p} TO ${role};`,
		}));
}
