import type {Row} from '../engine/types.ts';
import {escapeRow} from '../text/escape.ts';

/* Why a connection attempt failed, in the words of the runbook's causes.
 * The SQLSTATE decides where the server sent one; the wording splits codes
 * that cover several situations (53300, 57P03); the errno decides for
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
	'other',
] as const;
export type ConnectFailureKind = (typeof connectFailures)[number];

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

function bySqlstate(sqlstate: string, message: string): ConnectFailureKind | undefined {
	switch (sqlstate) {
		case '53300':
			if (/too many connections for role/i.test(message)) return 'role-limit';
			if (/too many connections for database/i.test(message)) return 'database-limit';
			if (/reserved/i.test(message)) return 'reserved-slots';
			return 'too-many-clients';
		case '57P03':
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

export function classifyConnectError(error: unknown): ConnectFailure {
	const e: ErrorLike = typeof error === 'object' && error !== null ? (error as ErrorLike) : {message: String(error)};
	const sqlstate = typeof e.code === 'string' && sqlstatePattern.test(e.code) ? e.code : null;
	const first = Array.isArray(e.errors) ? (e.errors[0] as ErrorLike | undefined) : undefined;
	const message = (typeof e.message === 'string' && e.message) || (typeof first?.message === 'string' && first.message) || String(error);
	const detail = typeof e.detail === 'string' ? e.detail : null;
	const failure: ConnectFailureKind =
		(sqlstate && bySqlstate(sqlstate, message)) ||
		(/invalid command-line argument for server process/i.test(message) ? 'startup-option' : undefined) ||
		(/ssl.*required|requires? ssl|no encryption/i.test(message) ? 'ssl-required' : undefined) ||
		byErrno(errnoOf(e), message) ||
		'other';
	return {failure, sqlstate, message, detail};
}

/** The connect step's row for a failed connection, escaped. */
export function failureRow(failure: ConnectFailure): Row {
	return escapeRow({failure: failure.failure, sqlstate: failure.sqlstate, message: failure.message, detail: failure.detail});
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
	other: 'see the message',
};

export function failureHint(failure: ConnectFailureKind): string {
	return hints[failure];
}
