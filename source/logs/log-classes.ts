import type {DefaultCause} from '../runbook/default-causes.ts';

/* The classes of log lines the runbook's rules match on (`class`, `cause`).
 * Texts from denokv-postgres-facts.md and PgBouncer's source; the order
 * matters: the first match wins, so specific server bugs come before the
 * Postgres texts they wrap, and the generic connection texts come last. The
 * denokv server's log and the PostgreSQL log (or PgBouncer's) both go through them. */

export type LogCause = DefaultCause | 'server-bug' | 'unclassified';

export interface LogClass {
	class: string;
	cause: LogCause;
	/** The SQLSTATE the class stands for, or null (client-side conditions). */
	sqlstate: string | null;
	pattern: RegExp;
	/** Known by its text only: its SQLSTATE covers other conditions too (PgBouncer sends 08P01 for every refusal). */
	textOnly?: true;
}

const c = (name: string, cause: LogCause, sqlstate: string | null, pattern: RegExp): LogClass => ({class: name, cause, sqlstate, pattern});
/** A refusal of PgBouncer's own: the reason it gives clients (`FATAL: <reason>`) and logs (`pooler error: <reason>`). */
const pgbouncer = (name: string, cause: LogCause, pattern: RegExp): LogClass => ({class: name, cause, sqlstate: '08P01', pattern, textOnly: true});

/**
 * What denokv's writes hit behind PgBouncer: tokio-postgres prepares named
 * statements (s0, s1…), which a pool in transaction mode hands to another
 * server connection; and PgBouncer's refusals when its pool is saturated or
 * it cannot reach PostgreSQL.
 */
export const poolerClasses: LogClass[] = [
	c('prepared-statement-exists', 'pooler', '42P05', /prepared statement \\?"[^"]*\\?" already exists/),
	c('prepared-statement-missing', 'pooler', '26000', /prepared statement \\?"[^"]*\\?" does not exist/),
	pgbouncer('pooler-max-client-conn', 'pooler', /no more connections allowed \(max_client_conn\)/),
	pgbouncer('pooler-query-wait-timeout', 'pooler', /\bquery_wait_timeout\b/),
	pgbouncer('pooler-query-timeout', 'pooler', /\bquery_timeout\b/),
	// PgBouncer cannot log in to PostgreSQL: the database behind it is down or refuses it.
	pgbouncer('pooler-server-login', 'connection-failure', /server login has been failing|client_login_timeout \(server down\)|pgbouncer cannot connect to server/),
	pgbouncer('pooler-client-idle-timeout', 'pooler', /\bclient_idle_timeout\b/),
	pgbouncer('pooler-config', 'pooler', /no such database: |no such user\b|database \\?"[^"]*\\?" is disabled|bouncer config error|unsupported startup parameter/),
	pgbouncer('pooler-error', 'pooler', /pooler error: /),
];

/** Known denokv server conditions that are not database problems. */
export const serverBugClasses: LogClass[] = [
	c('enqueue-bug', 'server-bug', null, /error serializing parameter \d+: cannot convert between the Rust type .* and the Postgres type `?_bytea/),
	c('sqlite-config', 'server-bug', null, /SQLite path is required/),
];

/** PostgreSQL error texts as clients (and the server log) see them; PgBouncer's before the generic connection texts. */
export const postgresClasses: LogClass[] = [
	...poolerClasses,
	c('startup-option', 'connection-failure', '42601', /invalid command-line argument for server process/),
	c('deadlock', 'deadlocks', '40P01', /deadlock detected/),
	c('lock-timeout', 'deadlocks', '55P03', /canceling statement due to lock timeout|could not obtain lock on/),
	c('serialization-failure', 'deadlocks', '40001', /could not serialize access due to/),
	c('too-many-clients', 'pool-exhaustion', '53300', /too many clients already|remaining connection slots are reserved|too many connections for (?:role|database)/),
	c('statement-timeout', 'timeouts', '57014', /canceling statement due to statement timeout/),
	c('query-canceled', 'unclassified', '57014', /canceling statement due to user request/),
	c('idle-in-transaction-timeout', 'timeouts', '25P03', /terminating connection due to idle-in-transaction timeout/),
	c('transaction-timeout', 'timeouts', '25P04', /terminating connection due to transaction timeout/),
	c('idle-session-timeout', 'timeouts', '57P05', /terminating connection due to idle-session timeout/),
	c('database-missing', 'connection-failure', '3D000', /database \\?"[^"]*" does not exist/),
	// Before missing-relation: `column "x" of relation "y" does not exist` names a relation too.
	c('missing-column', 'schema', '42703', /column \S+ (?:of relation \\?"[^"]*" )?does not exist/),
	c('missing-relation', 'schema', '42P01', /relation \\?"[^"]*" does not exist/),
	c('missing-function', 'schema', '42883', /(?:function|operator) .* does not exist/),
	// A hot standby, or default_transaction_read_only: every write of denokv fails.
	c('read-only', 'read-only-target', '25006', /cannot execute .* (?:in a read-only transaction|during recovery)/),
	c('auth-failed', 'connection-failure', '28P01', /password authentication failed|authentication failed for user/),
	c('no-hba-entry', 'connection-failure', '28000', /no pg_hba\.conf entry/),
	c('admin-shutdown', 'connection-failure', '57P01', /terminating connection due to administrator command/),
	c('crash-restart', 'connection-failure', '57P02', /terminating connection because of crash of another server process|\(PID \d+\) was terminated by signal/),
	c('starting-up', 'connection-failure', '57P03', /the database system is (?:starting up|shutting down|in recovery mode|not yet accepting connections|not accepting connections)/),
	c('disk-full', 'connection-failure', '53100', /No space left on device/),
	c('out-of-memory', 'connection-failure', '53200', /out of memory/i),
	c('connection-refused', 'connection-failure', null, /Connection refused/i),
	c('connection-closed', 'connection-failure', null, /connection closed|connection reset|server closed the connection unexpectedly|broken pipe|unexpected EOF/i),
	c('connection-timeout', 'connection-failure', null, /timed out/i),
];

/** A Postgres log's `process N still waiting for ShareLock …` (log_lock_waits). */
export const lockWaitClass = c('lock-wait', 'deadlocks', null, /process \d+ still waiting for \w+ on /);

/** Lines about a 500 that match no class. */
export const unclassified: LogClass = c('unclassified', 'unclassified', null, /(?:)/);

/** Classifies a message by its text; undefined when no class matches. */
export function classifyText(text: string, classes: readonly LogClass[] = postgresClasses): LogClass | undefined {
	return classes.find(k => k.pattern.test(text));
}

const firstBySqlstate = new Map<string, LogClass>();
for (const k of postgresClasses) if (k.sqlstate && !k.textOnly && !firstBySqlstate.has(k.sqlstate)) firstBySqlstate.set(k.sqlstate, k);

/** The class a SQLSTATE stands for (locale-independent, unlike the text); undefined when none. */
export function classBySqlstate(sqlstate: string | null | undefined): LogClass | undefined {
	return sqlstate ? firstBySqlstate.get(sqlstate.toUpperCase()) : undefined;
}

/** Every pattern at once, to skip the many lines that match nothing cheaply. */
export function anyOf(classes: readonly LogClass[], extra: RegExp[] = []): RegExp {
	return new RegExp([...classes.map(k => k.pattern.source), ...extra.map(r => r.source)].join('|'), 'i');
}
