import {existsSync, readFileSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {ConnectionOptions} from 'node:tls';
import {parse} from 'pg-connection-string';
import type pg from 'pg';
import type {TargetInfo} from '../engine/types.ts';
import {UsageError} from '../errors.ts';
import {fileProblem} from '../files/file-problem.ts';
import {escapeUntrusted} from '../text/escape.ts';
import {joinUrl, splitUrl} from '../text/secrets.ts';
import {lookupPgpass, pgpassPath} from './pgpass.ts';

/* Which server to diagnose, by the libpq conventions an operator already
 * uses: --url, else DATABASE_URL, else the PG* variables and ~/.pgpass.
 * Fields a URL leaves out are filled from PG* as libpq does. */

export const applicationName = 'pg500';
const defaultConnectTimeoutMs = 5000;
/** libpq waits as long as it is told; a timer past 2^31-1 ms fires at once, so a day is the most. */
const maxConnectTimeoutSeconds = 24 * 60 * 60;
const sslModes = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
type SslMode = (typeof sslModes)[number];

export interface ResolvedTarget {
	/** What reports show: never a password. */
	info: TargetInfo;
	/** The pg.Client settings for the safe session (may carry the password: never print it). */
	config: pg.ClientConfig;
	/**
	 * libpq's `prefer` and `allow`: the other way to connect, tried when the
	 * first is refused (no TLS on the server, or pg_hba.conf wants the other kind).
	 */
	fallback?: pg.ClientConfig;
	sslmode: SslMode;
}

interface Fields {
	host?: string | null;
	port?: string | null;
	database?: string | null;
	user?: string | null;
	password?: string | null;
	sslmode?: string | null;
	sslrootcert?: string | null;
	sslcert?: string | null;
	sslkey?: string | null;
	connect_timeout?: string | null;
}

/** TLS settings pg500 builds itself from sslmode (pg-connection-string would read them its own way). */
const tlsParameters = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'uselibpqcompat'];

/**
 * The fields of a postgres:// URL. The credentials are split off by
 * text/secrets.ts (a password may hold any character) and the rest parsed
 * by pg-connection-string. `source` names where the URL came from in error
 * messages; the URL itself is never echoed.
 */
function parseUrl(url: string, source: string): Fields {
	const invalid = (reason: string) => new UsageError(`${source} is not a valid PostgreSQL URL: ${reason}`);
	const parts = splitUrl(url);
	if (!parts || !/^postgres(ql)?$/i.test(parts.scheme.slice(0, -1))) throw invalid('expected postgres://user@host:port/database');
	const queryAt = parts.rest.indexOf('?');
	const query = new URLSearchParams(queryAt < 0 ? '' : parts.rest.slice(queryAt + 1));
	const kept = new URLSearchParams([...query].filter(([key]) => !tlsParameters.includes(key)));
	const rest = (queryAt < 0 ? parts.rest : parts.rest.slice(0, queryAt)) + (kept.size > 0 ? `?${kept}` : '');
	let fields: Record<string, string | null | undefined>;
	try {
		// The password is not handed to the URL parser at all: it cannot leak into another field.
		fields = parse(joinUrl({...parts, password: undefined, rest})) as Record<string, string | null | undefined>;
	} catch {
		throw invalid('expected postgres://user:password@host:port/database?sslmode=…');
	}
	return {
		host: fields.host || null,
		port: fields.port ? String(fields.port) : null,
		database: fields.database ?? null,
		user: parts.user || null,
		password: parts.password || null,
		sslmode: query.get('sslmode'),
		sslrootcert: query.get('sslrootcert'),
		sslcert: query.get('sslcert'),
		sslkey: query.get('sslkey'),
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

/**
 * The root certificate to verify the server with, as libpq finds it:
 * sslrootcert, else ~/.postgresql/root.crt when it exists; `system` is the
 * system's trusted CAs. undefined: none (no verification unless verify-*).
 */
function rootCertificate(given: string | undefined, env: NodeJS.ProcessEnv): {ca?: string; system?: true} | undefined {
	if (given === 'system') return {system: true};
	const file = given || path.join(env.HOME ?? os.homedir(), '.postgresql', 'root.crt');
	if (!given && !existsSync(file)) return undefined;
	try {
		return {ca: readFileSync(file, 'utf8')};
	} catch (error) {
		throw new UsageError(`cannot read the root certificate ${escapeUntrusted(file)} (sslrootcert): ${fileProblem(error)}`);
	}
}

/**
 * The client certificate and its key, as libpq finds them: sslcert and
 * sslkey (PGSSLCERT, PGSSLKEY), else ~/.postgresql/postgresql.crt and
 * postgresql.key when the certificate exists. A key others may read is
 * refused, as libpq refuses it. undefined: no client certificate.
 */
function clientCertificate(given: {cert?: string | null; key?: string | null}, env: NodeJS.ProcessEnv): {cert: string; key: string} | undefined {
	const home = path.join(env.HOME ?? os.homedir(), '.postgresql');
	const certFile = given.cert || path.join(home, 'postgresql.crt');
	if (!given.cert && !existsSync(certFile)) return undefined;
	const keyFile = given.key || path.join(home, 'postgresql.key');
	const read = (file: string, what: string) => {
		try {
			return readFileSync(file, 'utf8');
		} catch (error) {
			throw new UsageError(`cannot read the client ${what} ${escapeUntrusted(file)} (ssl${what === 'key' ? 'key' : 'cert'}): ${fileProblem(error)}`);
		}
	};
	const cert = read(certFile, 'certificate');
	const key = read(keyFile, 'key');
	// libpq: a key of one's own with any group or other access, or one of root's that others may read, is refused.
	const {mode, uid} = statSync(keyFile);
	if (uid === 0 ? mode & 0o037 : mode & 0o077)
		throw new UsageError(`the client key ${escapeUntrusted(keyFile)} (sslkey) may be read by others: chmod 0600 it, as libpq requires`);
	return {cert, key};
}

/** The TLS settings for an attempt with TLS, per libpq's sslmode (https://www.postgresql.org/docs/current/libpq-ssl.html). */
function tlsOptions(mode: SslMode, root: {ca?: string; system?: true} | undefined): ConnectionOptions {
	const anyServerName = {checkServerIdentity: () => undefined};
	if (mode === 'verify-full' || mode === 'verify-ca') {
		if (!root) throw new UsageError(`sslmode=${mode} needs a root certificate to verify the server with: sslrootcert=FILE, ~/.postgresql/root.crt, or sslrootcert=system`);
		const ca = root.ca ? {ca: root.ca} : {};
		// verify-ca: signed by the CA, whatever host name it names; verify-full: and the host name matches.
		return mode === 'verify-full' ? ca : {...ca, ...anyServerName};
	}
	// require, prefer, allow: encrypted; verified like verify-ca only when a root certificate is there.
	return root ? {...(root.ca ? {ca: root.ca} : {}), ...anyServerName} : {rejectUnauthorized: false};
}

function connectTimeoutMs(text: string | null | undefined): number {
	if (!text) return defaultConnectTimeoutMs;
	const seconds = Number(text);
	if (!/^\d+$/.test(text) || seconds > maxConnectTimeoutSeconds)
		throw new UsageError(`connect_timeout (PGCONNECT_TIMEOUT) must be a whole number of seconds from 0 to ${maxConnectTimeoutSeconds}, got "${escapeUntrusted(text)}"`);
	// libpq: 0 means wait forever; an outage is the wrong time for that, so 0 keeps our 5 s.
	return seconds > 0 ? Math.max(2, seconds) * 1000 : defaultConnectTimeoutMs;
}

/** Whether the operator named a target at all (else libpq's defaults are a guess worth saying out loud). */
export function targetNamed(url: string | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
	return Boolean(url ?? env.DATABASE_URL ?? env.PGHOST ?? env.PGPORT ?? env.PGDATABASE);
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
	if (!/^\d+$/.test(portText) || port < 1 || port > 65535) throw new UsageError(`the port must be a number from 1 to 65535, got "${escapeUntrusted(portText)}"`);
	const user = fromUrl.user || env.PGUSER || osUser(env);
	const database = fromUrl.database || env.PGDATABASE || user;

	const sslmode = (fromUrl.sslmode || env.PGSSLMODE || 'prefer') as SslMode;
	if (!sslModes.includes(sslmode)) throw new UsageError(`sslmode must be one of ${sslModes.join(', ')}, got "${escapeUntrusted(sslmode)}"`);
	const client = sslmode === 'disable' ? undefined : clientCertificate({cert: fromUrl.sslcert || env.PGSSLCERT, key: fromUrl.sslkey || env.PGSSLKEY}, env);
	const tls = sslmode === 'disable' ? false : {...tlsOptions(sslmode, rootCertificate(fromUrl.sslrootcert || env.PGSSLROOTCERT, env)), ...client};

	const explicitPassword = fromUrl.password || env.PGPASSWORD;
	const passwordFile = pgpassPath(env);
	const base: pg.ClientConfig = {
		host,
		port,
		user,
		database,
		// Read ~/.pgpass only when the server asks for a password, as libpq does.
		password: explicitPassword ?? (async () => (await lookupPgpass(passwordFile, {host, port, database, user})) ?? ''),
		connectionTimeoutMillis: connectTimeoutMs(fromUrl.connect_timeout || env.PGCONNECT_TIMEOUT),
		application_name: applicationName,
	};
	const withTls = {...base, ssl: tls || {}};
	const plain = {...base, ssl: false as const};
	const info = {host, port, database, user, serverVersion: null};
	switch (sslmode) {
		case 'disable':
			return {info, config: plain, sslmode};
		case 'allow':
			return {info, config: plain, fallback: withTls, sslmode};
		case 'prefer':
			return {info, config: withTls, fallback: plain, sslmode};
		default:
			return {info, config: withTls, sslmode};
	}
}
