import type pg from 'pg';
import type {Row, Value} from '../engine/types.ts';
import {UsageError} from '../errors.ts';
import {escapeRow} from '../text/escape.ts';
import {plainRows} from './rows.ts';
import {destroy, endWithin, otherWayMayWork} from './session.ts';
import {resolveTarget, type ResolvedTarget} from './target.ts';

/* PgBouncer's admin console (`--pgbouncer-url`), read on a short-lived
 * connection of its own: the console is PgBouncer, not the sick database,
 * and answers from PgBouncer's memory. It takes no transaction at all (it
 * refuses BEGIN) and only `SHOW` commands here, each a simple-protocol query.
 * PgBouncer admits its console even when max_client_conn is reached, so it
 * can still be read when denokv's clients are being turned away. */

const consoleDatabase = 'pgbouncer';
const defaultConsolePort = '6432';

/** The console's address from --pgbouncer-url: PgBouncer's port and admin database unless the URL says. */
export function resolveConsole(url: string): ResolvedTarget {
	// No PG* variable of the target leaks in: the console is another server with its own defaults.
	const resolved = resolveTarget(url, {PGPORT: defaultConsolePort, PGDATABASE: consoleDatabase, HOME: process.env.HOME, PGPASSFILE: process.env.PGPASSFILE}, '--pgbouncer-url');
	if (resolved.info.database !== consoleDatabase)
		throw new UsageError(`--pgbouncer-url must name PgBouncer's admin database, ${consoleDatabase} (got "${resolved.info.database}")`);
	return resolved;
}

/** The only commands pg500 sends to the console, in this order. */
const commands = {version: 'SHOW VERSION', config: 'SHOW CONFIG', databases: 'SHOW DATABASES', pools: 'SHOW POOLS', clients: 'SHOW CLIENTS'} as const;

export interface ConsoleSnapshot {
	/** "PgBouncer 1.18.0". */
	version: string;
	config: Record<string, string>;
	databases: Row[];
	pools: Row[];
	clients: Row[];
}

/**
 * Reads the console; throws the connection's or the console's error. With
 * sslmode=prefer or allow, the other way (plain or TLS) is tried when the
 * first is refused, as libpq does. Each attempt gives up after `timeoutMs`.
 */
export async function readConsole(target: ResolvedTarget, timeoutMs: number): Promise<ConsoleSnapshot> {
	try {
		return await readWith(target.config, timeoutMs);
	} catch (error) {
		if (!target.fallback || !otherWayMayWork(error)) throw error;
		return readWith(target.fallback, timeoutMs);
	}
}

async function readWith(config: pg.ClientConfig, timeoutMs: number): Promise<ConsoleSnapshot> {
	const {default: driver} = await import('pg');
	const client = new driver.Client(config);
	client.on('error', () => {});
	const watchdog = setTimeout(() => destroy(client), timeoutMs);
	let connected = false;
	try {
		await client.connect();
		connected = true;
		// A bare string with no values: the simple protocol, which the console speaks.
		const show = async (command: string): Promise<Row[]> => plainRows(await client.query(command));
		const version = String((await show(commands.version))[0]?.version ?? '');
		const config = Object.fromEntries((await show(commands.config)).map(r => [String(r.key), String(r.value ?? '')]));
		return {version, config, databases: await show(commands.databases), pools: await show(commands.pools), clients: await show(commands.clients)};
	} finally {
		clearTimeout(watchdog);
		// A connection that never opened has nothing to say goodbye to.
		if (connected) await endWithin(client, 2000);
		else destroy(client);
	}
}

const num = (value: Value | undefined): number => {
	const n = Number(value);
	return Number.isFinite(n) ? n : 0;
};
const round1 = (n: number) => Math.round(n * 10) / 10;

/** `denokv×4, -×1`: who waits, by application name. */
function waitingClients(clients: Row[], database: Value | undefined, user: Value | undefined): string | null {
	const counts = new Map<string, number>();
	for (const c of clients)
		if (c.state === 'waiting' && c.database === database && c.user === user) {
			const app = typeof c.application_name === 'string' && c.application_name ? c.application_name : '-';
			counts.set(app, (counts.get(app) ?? 0) + 1);
		}
	return counts.size === 0 ? null : [...counts].map(([app, n]) => `${app}×${n}`).join(', ');
}

/**
 * The rows the pgbouncer step judges: one `pgbouncer` row (client connections
 * against max_client_conn, the settings that matter) and one `pool` row per
 * pool but the console's own (clients waiting and for how long, server
 * connections busy against the pool size), the longest wait first.
 */
export function consoleRows(snapshot: ConsoleSnapshot): Row[] {
	const {config} = snapshot;
	const version = snapshot.version.replace(/^PgBouncer\s+/i, '');
	const maxClientConn = num(config.max_client_conn);
	const queryWaitTimeout = num(config.query_wait_timeout);
	// Absent before PgBouncer 1.21, which cannot keep prepared statements across transactions.
	const maxPrepared = config.max_prepared_statements === undefined ? null : num(config.max_prepared_statements);
	const pools = snapshot.pools
		.filter(p => p.database !== 'pgbouncer')
		.map(p => {
			const db = snapshot.databases.find(d => d.name === p.database);
			const poolSize = db && num(db.pool_size) > 0 ? num(db.pool_size) : num(config.default_pool_size);
			const maxwait = round1(num(p.maxwait) + num(p.maxwait_us) / 1e6);
			return {
				kind: 'pool',
				database: p.database ?? null,
				user: p.user ?? null,
				pool_mode: p.pool_mode ?? null,
				pool_size: poolSize,
				cl_active: num(p.cl_active),
				cl_waiting: num(p.cl_waiting),
				sv_active: num(p.sv_active),
				sv_idle: num(p.sv_idle),
				sv_used: num(p.sv_used),
				sv_login: num(p.sv_login),
				maxwait_s: maxwait,
				wait_pct_of_timeout: queryWaitTimeout > 0 ? Math.round((100 * maxwait) / queryWaitTimeout) : null,
				waiting_clients: waitingClients(snapshot.clients, p.database, p.user),
				query_wait_timeout_s: queryWaitTimeout,
				max_prepared_statements: maxPrepared,
				version,
			} satisfies Row;
		})
		.sort((a, b) => b.maxwait_s - a.maxwait_s || b.cl_waiting - a.cl_waiting);
	const clients = snapshot.clients.length;
	const summary: Row = {
		kind: 'pgbouncer',
		version,
		clients,
		max_client_conn: maxClientConn,
		clients_pct: maxClientConn > 0 ? round1((100 * clients) / maxClientConn) : null,
		pool_mode: config.pool_mode ?? null,
		default_pool_size: num(config.default_pool_size),
		query_wait_timeout_s: queryWaitTimeout,
		max_prepared_statements: maxPrepared,
		cl_waiting: pools.reduce((sum, p) => sum + p.cl_waiting, 0),
		maxwait_s: pools.reduce((max, p) => Math.max(max, p.maxwait_s), 0),
	};
	return [summary, ...pools].map(escapeRow);
}
