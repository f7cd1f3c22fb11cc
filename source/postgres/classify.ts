import type {Pooler, Row} from '../engine/types.ts';
import {escapeRow} from '../text/escape.ts';

/* Why a connection attempt failed, in the words of the runbook's causes.
 * The SQLSTATE decides where the server sent one; the wording splits codes
 * that cover several situations (53300, 57P03) and tells PgBouncer's own
 * errors (all 08P01) apart; the errno and how far the login got decide for
 * failures below the protocol (refused, timeout, DNS). */

export const connectFailures = [
	'refused',
	'timeout',
	'dns',
	'auth-failed',
	'no-hba-entry',
	'database-missing',
	'too-many-clients',
	'reserved-slots',
	'role-limit',
	'database-limit',
	'starting-up',
	'shutting-down',
	'recovery',
	'admin-terminated',
	'crashed',
	'ssl-required',
	'startup-option',
	'hot-standby-off',
	'login-timeout',
	'no-answer',
	'pooler-full',
	'pooler-wait',
	'pooler-config',
	'pooler-server-login',
	'other',
] as const;
export type ConnectFailureKind = (typeof connectFailures)[number];

/**
 * How far a connection attempt got when it failed: `tcp` before the socket
 * opened, `login` after it (the startup was sent), `query` once logged in.
 */
export type ConnectStage = 'tcp' | 'login' | 'query';

/** The error SafeSession raises when a statement gets no answer at all in time (and it gives the connection up). */
export const noAnswerCode = 'PG500_NO_ANSWER';

export interface ConnectFailure {
	failure: ConnectFailureKind;
	sqlstate: string | null;
	message: string;
	detail: string | null;
}

interface ErrorLike {
	code?: unknown;
	message?: unknown;
	detail?: unknown;
	errors?: unknown;
}

const sqlstatePattern = /^[0-9A-Z]{5}$/;

/** Node reports a refused dual-stack connect (::1 and 127.0.0.1) as an AggregateError: use its first cause. */
function errnoOf(error: ErrorLike): string | undefined {
	if (typeof error.code === 'string' && !sqlstatePattern.test(error.code)) return error.code;
	const first = Array.isArray(error.errors) ? (error.errors[0] as ErrorLike | undefined) : undefined;
	return typeof first?.code === 'string' ? first.code : undefined;
}

/**
 * PgBouncer's own refusals (08P01, FATAL), by the reason it sends (its source: disconnect_client
 * in client.c, janitor.c, objects.c). What a client sees, and what denokv logs behind PgBouncer.
 */
const poolerReasons: [ConnectFailureKind, RegExp][] = [
	['pooler-full', /no more connections allowed \(max_client_conn\)/i],
	['pooler-server-login', /server login has been failing|client_login_timeout \(server down\)/i],
	// query_timeout also ends a client still waiting for a server connection.
	['pooler-wait', /^(?:query_wait_timeout|query_timeout)$/i],
	['pooler-config', /^(?:no such database: |no such user|database "[^"]*" is disabled|bouncer config error|unsupported startup parameter|not allowed$)/i],
];

function byPoolerReason(message: string): ConnectFailureKind | undefined {
	return poolerReasons.find(([, pattern]) => pattern.test(message))?.[0];
}

function bySqlstate(sqlstate: string, message: string, detail: string): ConnectFailureKind | undefined {
	switch (sqlstate) {
		case '53300':
			if (/too many connections for role/i.test(message)) return 'role-limit';
			if (/too many connections for database/i.test(message)) return 'database-limit';
			if (/reserved/i.test(message)) return 'reserved-slots';
			return 'too-many-clients';
		case '57P03':
			// A standby with hot_standby = off says so only in its DETAIL.
			if (/hot standby mode is disabled/i.test(detail)) return 'hot-standby-off';
			if (/starting up/i.test(message)) return 'starting-up';
			if (/shutting down/i.test(message)) return 'shutting-down';
			return 'recovery';
		case '28P01':
			return 'auth-failed';
		case '28000':
			return /no encryption|ssl.*required/i.test(message) ? 'ssl-required' : 'no-hba-entry';
		case '3D000':
			return 'database-missing';
		case '57P01':
			return 'admin-terminated';
		case '57P02':
			return 'crashed';
		default:
			return undefined;
	}
}

function byErrno(errno: string | undefined, message: string): ConnectFailureKind | undefined {
	if (errno === 'ECONNREFUSED' || (errno === 'ENOENT' && /\.s\.PGSQL\./.test(message))) return 'refused';
	if (errno === 'ETIMEDOUT' || /timeout expired|connection timeout|timed out/i.test(message)) return 'timeout';
	if (errno === 'ENOTFOUND' || errno === 'EAI_AGAIN') return 'dns';
	return undefined;
}

/** A timeout is a firewall or a dead host only before the socket opened: after it, something answered and then stalled. */
function byStage(kind: ConnectFailureKind | undefined, stage: ConnectStage): ConnectFailureKind | undefined {
	return kind === 'timeout' && stage !== 'tcp' ? 'login-timeout' : kind;
}

/** `stage`: how far the attempt got, when the caller knows (a bare error tells nothing of it). */
export function classifyConnectError(error: unknown, stage: ConnectStage = 'tcp'): ConnectFailure {
	const e: ErrorLike = typeof error === 'object' && error !== null ? (error as ErrorLike) : {message: String(error)};
	const sqlstate = typeof e.code === 'string' && sqlstatePattern.test(e.code) ? e.code : null;
	const first = Array.isArray(e.errors) ? (e.errors[0] as ErrorLike | undefined) : undefined;
	const message = (typeof e.message === 'string' && e.message) || (typeof first?.message === 'string' && first.message) || String(error);
	const detail = typeof e.detail === 'string' ? e.detail : null;
	const failure: ConnectFailureKind =
		(e.code === noAnswerCode ? 'no-answer' : undefined) ||
		byPoolerReason(message) ||
		(sqlstate && bySqlstate(sqlstate, message, detail ?? '')) ||
		(/invalid command-line argument for server process/i.test(message) ? 'startup-option' : undefined) ||
		(/ssl.*required|requires? ssl|no encryption/i.test(message) ? 'ssl-required' : undefined) ||
		byStage(byErrno(errnoOf(e), message), stage) ||
		'other';
	return {failure, sqlstate, message, detail};
}

/** PgBouncer answered this failure itself: whatever else is wrong, it stands in front of PostgreSQL. */
export function poolerOfFailure(failure: ConnectFailure): Pooler | null {
	return failure.failure.startsWith('pooler-') ? 'pgbouncer' : null;
}

/**
 * The connect step's row for a failed connection, escaped: the message carries
 * the DETAIL (57P03 says why only there), the hint what the failure means.
 */
export function failureRow(failure: ConnectFailure): Row {
	const message = failure.detail ? `${failure.message} (DETAIL: ${failure.detail})` : failure.message;
	return escapeRow({failure: failure.failure, sqlstate: failure.sqlstate, message, detail: failure.detail, hint: hints[failure.failure]});
}

const hints: Record<ConnectFailureKind, string> = {
	refused: 'nothing is listening at that host and port: is PostgreSQL running, and is the port right?',
	timeout: 'no answer within the connect timeout: a firewall, a wrong host, or a server too busy to accept',
	dns: 'the host name does not resolve',
	'auth-failed': 'the password (or ~/.pgpass entry) is wrong for this role',
	'no-hba-entry': 'pg_hba.conf has no line that lets this role connect from here',
	'database-missing': 'no database of that name on this server',
	'too-many-clients': 'every connection slot is taken (max_connections)',
	'reserved-slots': 'only the reserved slots are left: ordinary roles are refused',
	'role-limit': "the role's CONNECTION LIMIT is reached",
	'database-limit': "the database's CONNECTION LIMIT is reached",
	'starting-up': 'the server is starting up',
	'shutting-down': 'the server is shutting down',
	recovery: 'the server is in recovery and not accepting connections yet',
	'admin-terminated': 'an administrator (or pg_terminate_backend) ended the connection',
	crashed: 'another server process crashed and the server is restarting',
	'ssl-required': 'the server only accepts encrypted connections: add sslmode=require',
	'startup-option': 'the server rejected a start-up option (e.g. statement_timeout passed without -c)',
	'hot-standby-off': 'the target is a standby with hot_standby = off: it takes no connections at all; denokv belongs on the primary',
	'login-timeout':
		'the host accepted the connection but the login did not finish in time: PostgreSQL too busy to start a backend, or a pooler in front waiting for a server connection',
	'no-answer':
		'logged in, but not even the first statement was answered: a pooler in front (PgBouncer) holds the session in its queue for a server connection (its pool is saturated), or the server is frozen',
	'pooler-full': "PgBouncer's max_client_conn is reached: it refuses every new client",
	'pooler-wait': "PgBouncer's pool is saturated: the client waited for a server connection until PgBouncer gave up (query_wait_timeout)",
	'pooler-config': "PgBouncer refuses this database or user: its [databases] section or auth settings do not cover it",
	'pooler-server-login': 'PgBouncer answers, but cannot log in to PostgreSQL behind it: PostgreSQL is down or unreachable from the PgBouncer host, or rejects its credentials',
	other: 'see the message',
};

export function failureHint(failure: ConnectFailureKind): string {
	return hints[failure];
}
