import {readFileSync} from 'node:fs';
import os from 'node:os';
import type {ConnectionOptions} from 'node:tls';
import {parse} from 'pg-connection-string';
import type pg from 'pg';
import type {TargetInfo} from '../engine/types.ts';
import {UsageError} from '../errors.ts';
import {lookupPgpass, pgpassPath} from './pgpass.ts';

/* Which server to diagnose, by the libpq conventions an operator already
 * uses: --url, else DATABASE_URL, else the PG* variables and ~/.pgpass.
 * Fields a URL leaves out are filled from PG* as libpq does. */

export const applicationName = 'pg500';
const defaultConnectTimeoutMs = 5000;
const sslModes = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
type SslMode = (typeof sslModes)[number];

export interface ResolvedTarget {
	/** What reports show: never a password. */
	info: TargetInfo;
	/** The pg.Client settings for the safe session (may carry the password: never print it). */
	config: pg.ClientConfig;
}

interface Fields {
	host?: string | null;
	port?: string | null;
	database?: string | null;
	user?: string | null;
	password?: string | null;
	sslmode?: string | null;
	sslrootcert?: string | null;
	connect_timeout?: string | null;
}

/** `source` names where the URL came from in error messages; the URL itself is never echoed. */
function parseUrl(url: string, source: string): Fields {
	const invalid = (reason: string) => new UsageError(`${source} is not a valid PostgreSQL URL: ${reason}`);
	if (!/^postgres(ql)?:\/\//i.test(url)) throw invalid('expected postgres://user@host:port/database');
	let fields: Record<string, string | null | undefined>;
	try {
		// Only fields are read here; TLS settings are built below from sslmode.
		fields = parse(url.replace(/([?&])(sslmode|sslrootcert|sslcert|sslkey|uselibpqcompat)=[^&]*/gi, '$1')) as Record<string, string | null | undefined>;
	} catch {
		throw invalid('expected postgres://user:password@host:port/database?sslmode=…');
	}
	const query = new URLSearchParams(url.split('?')[1] ?? '');
	return {
		host: fields.host || null,
		port: fields.port ? String(fields.port) : null,
		database: fields.database ?? null,
		user: fields.user || null,
		password: fields.password || null,
		sslmode: query.get('sslmode'),
		sslrootcert: query.get('sslrootcert'),
		connect_timeout: query.get('connect_timeout'),
	};
}

function osUser(env: NodeJS.ProcessEnv): string {
	try {
		return os.userInfo().username;
	} catch {
		return env.USER ?? 'postgres';
	}
}

function sslOptions(mode: SslMode, rootCertFile: string | undefined): false | ConnectionOptions {
	if (mode === 'disable' || mode === 'allow' || mode === 'prefer') return false;
	let ca: string | undefined;
	if (rootCertFile) {
		try {
			ca = readFileSync(rootCertFile, 'utf8');
		} catch (error) {
			throw new UsageError(`cannot read sslrootcert ${rootCertFile}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
		}
	}
	if (mode === 'verify-full') return ca ? {ca} : {};
	if (mode === 'verify-ca') {
		if (!ca) throw new UsageError('sslmode=verify-ca needs sslrootcert (the CA certificate to verify against)');
		return {ca, checkServerIdentity: () => undefined};
	}
	// require: encrypted; verified only when a root certificate is given (libpq semantics).
	return ca ? {ca, checkServerIdentity: () => undefined} : {rejectUnauthorized: false};
}

/**
 * Resolves the target from `url` (--url, or the option named `option`) or the
 * environment. Throws UsageError for a malformed one.
 */
export function resolveTarget(url: string | undefined, env: NodeJS.ProcessEnv = process.env, option = '--url'): ResolvedTarget {
	const fromUrl = url !== undefined ? parseUrl(url, option) : env.DATABASE_URL ? parseUrl(env.DATABASE_URL, 'DATABASE_URL') : {};

	const host = fromUrl.host || env.PGHOST || 'localhost';
	const portText = fromUrl.port || env.PGPORT || '5432';
	const port = Number(portText);
	if (!/^\d+$/.test(portText) || port < 1 || port > 65535) throw new UsageError(`the port must be a number from 1 to 65535, got "${portText}"`);
	const user = fromUrl.user || env.PGUSER || osUser(env);
	const database = fromUrl.database || env.PGDATABASE || user;

	const mode = (fromUrl.sslmode || env.PGSSLMODE || 'prefer') as SslMode;
	if (!sslModes.includes(mode)) throw new UsageError(`sslmode must be one of ${sslModes.join(', ')}, got "${mode}"`);
	const ssl = sslOptions(mode, fromUrl.sslrootcert || env.PGSSLROOTCERT);

	const timeoutText = fromUrl.connect_timeout || env.PGCONNECT_TIMEOUT;
	const timeoutSeconds = timeoutText && /^\d+$/.test(timeoutText) ? Number(timeoutText) : 0;
	// libpq: 0 means wait forever; an outage is the wrong time for that, so 0 keeps our 5 s.
	const connectionTimeoutMillis = timeoutSeconds > 0 ? Math.max(2, timeoutSeconds) * 1000 : defaultConnectTimeoutMs;

	const explicitPassword = fromUrl.password || env.PGPASSWORD;
	const passwordFile = pgpassPath(env);
	const config: pg.ClientConfig = {
		host,
		port,
		user,
		database,
		// Read ~/.pgpass only when the server asks for a password, as libpq does.
		password: explicitPassword ?? (async () => (await lookupPgpass(passwordFile, {host, port, database, user})) ?? ''),
		ssl,
		connectionTimeoutMillis,
		application_name: applicationName,
	};
	return {info: {host, port, database, user, serverVersion: null}, config};
}
