import {parse} from 'pg-connection-string';
import type {Pooler, Row} from '../engine/types.ts';

/* The connect step's row, from what the server said (connectSql) and what
 * the protocol said: whether a pooler stands between pg500 and PostgreSQL,
 * and where the primary is — a standby's primary_conninfo is read for its
 * host and port only, and never leaves this module (it may hold a password). */

/** Where pg500 connected, and the process id the login announced (BackendKeyData). */
export interface ConnectContext {
	host: string;
	port: number;
	protocolPid: number | null;
}

const defaultPort = '5432';

/** libpq's keyword/value connection string: `host=a port='5 4' password='it\'s'` → its pairs. */
export function parseConninfo(text: string): Map<string, string> | undefined {
	const pairs = new Map<string, string>();
	let i = 0;
	const skipSpace = () => {
		while (i < text.length && /\s/.test(text[i]!)) i++;
	};
	for (;;) {
		skipSpace();
		if (i >= text.length) return pairs;
		const keyStart = i;
		while (i < text.length && text[i] !== '=' && !/\s/.test(text[i]!)) i++;
		const key = text.slice(keyStart, i);
		skipSpace();
		if (!key || text[i] !== '=') return undefined;
		i++;
		skipSpace();
		let value = '';
		if (text[i] === "'") {
			i++;
			for (;;) {
				if (i >= text.length) return undefined;
				const ch = text[i++]!;
				if (ch === "'") break;
				value += ch === '\\' && i < text.length ? text[i++]! : ch;
			}
		} else {
			while (i < text.length && !/\s/.test(text[i]!)) {
				const ch = text[i++]!;
				value += ch === '\\' && i < text.length ? text[i++]! : ch;
			}
		}
		pairs.set(key, value);
	}
}

/** `host:port` of each server a connection string names (a URI or keyword/value pairs); undefined when it names none. */
export function conninfoAddress(conninfo: string): string | undefined {
	let hosts: string[];
	let ports: string[];
	if (/^postgres(ql)?:\/\//i.test(conninfo)) {
		try {
			const fields = parse(conninfo) as {host?: string | null; port?: string | null};
			hosts = fields.host ? [fields.host] : [];
			ports = fields.port ? [String(fields.port)] : [];
		} catch {
			return undefined;
		}
	} else {
		const pairs = parseConninfo(conninfo);
		if (!pairs) return undefined;
		hosts = (pairs.get('host') || pairs.get('hostaddr') || '').split(',').filter(Boolean);
		ports = (pairs.get('port') ?? '').split(',').filter(Boolean);
	}
	if (hosts.length === 0) return undefined;
	// libpq: one port for every host, or one per host.
	return hosts.map((h, n) => `${h}:${ports[ports.length === 1 ? 0 : n] ?? defaultPort}`).join(', ');
}

/** A pooler answered the login: PostgreSQL's own backend has another pid than the one the login announced. */
function poolerOf(raw: Row, context: ConnectContext): Pooler | null {
	const backend = Number(raw.backend_pid);
	return context.protocolPid !== null && Number.isInteger(backend) && backend !== context.protocolPid ? 'pgbouncer' : null;
}

/** The primary denokv should write to: where a standby replicates from (as far as the role may see it, and whence), else this server. */
function primaryOf(raw: Row, context: ConnectContext): {primary: string | null; primary_source?: string | null} {
	if (raw.in_recovery !== true) return {primary: `${context.host}:${context.port}`};
	if (typeof raw.primary_sender_host === 'string' && raw.primary_sender_host)
		return {primary: `${raw.primary_sender_host}:${raw.primary_sender_port ?? defaultPort}`, primary_source: 'pg_stat_wal_receiver (streaming from it now)'};
	const fromConninfo = typeof raw.primary_conninfo === 'string' ? conninfoAddress(raw.primary_conninfo) : undefined;
	if (fromConninfo) return {primary: fromConninfo, primary_source: 'primary_conninfo'};
	return {primary: null, primary_source: null};
}

/**
 * The row the connect step shows (from the raw values: escape it after):
 * primary_conninfo replaced by the primary's address; the pooler, and the
 * port PostgreSQL itself listens on, only when a pooler answered (an 80×24
 * screen has no line to spare for what does not apply).
 */
export function connectRow(raw: Row, context: ConnectContext): Row {
	const {primary_conninfo: _secret, primary_sender_host: _host, primary_sender_port: _port, server_port: serverPort, ...rest} = raw;
	const pooler = poolerOf(raw, context);
	return {...rest, ...(pooler && {pooler, server_port: serverPort ?? null}), ...primaryOf(raw, context)};
}
