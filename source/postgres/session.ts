import type pg from 'pg';
import type {Row} from '../engine/types.ts';
import {classifyConnectError, type ConnectFailure} from './classify.ts';
import {connectSql} from './privileges.ts';
import {shapeResult, valueTypes} from './rows.ts';

/* The safe session: the tool's only connection to a database that is
 * already in trouble. One pg.Client; every check in its own READ ONLY
 * transaction with SET LOCAL timeouts (nothing session-level, nothing named:
 * it works through PgBouncer in transaction mode). A connection lost
 * mid-run is reopened once. */

export interface SessionTimeouts {
	statementMs: number;
	lockMs: number;
}

export const defaultLockTimeoutMs = 200;
/** Beyond the server-side statement_timeout, how long to wait for an answer before giving the connection up. */
const clientGraceMs = 5000;

/**
 * Parameters a check's SQL reads with `current_setting('pg500.name')`: named
 * `pg500.` + snake_case (so the name is safe in SQL as it is), any text value.
 */
export type CheckSettings = Record<string, string>;

const settingName = /^pg500\.[a-z][a-z0-9_]*$/;

/** A literal that means the same whatever standard_conforming_strings says: dollar-quoted, with a tag the value lacks. */
function dollarQuoted(value: string): string {
	let tag = 'v';
	// Padded with `$`: a value that starts or ends with part of the tag must not close it early.
	while (`$${value}$`.includes(`$${tag}$`)) tag += 'v';
	return `$${tag}$${value}$${tag}$`;
}

function setLocals(settings: CheckSettings): string {
	return Object.entries(settings)
		.map(([name, value]) => {
			if (!settingName.test(name)) throw new Error(`not a pg500 check setting: ${name}`);
			return `; SET LOCAL ${name} = ${dollarQuoted(value)}`;
		})
		.join('');
}

type State =
	| {kind: 'not-tried'}
	| {kind: 'connected'; client: pg.Client; info: Row}
	| {kind: 'failed'; failure: ConnectFailure}
	| {kind: 'lost'; failure: ConnectFailure};

/** An error that means the connection is gone, not just this statement. */
export function connectionLost(error: unknown): boolean {
	const e = error as {code?: unknown; severity?: unknown};
	if (e.severity === 'FATAL' || e.severity === 'PANIC') return true;
	if (typeof e.code !== 'string' || !/^[0-9A-Z]{5}$/.test(e.code)) return true;
	return /^(08|57P0)/.test(e.code);
}

function destroy(client: pg.Client): void {
	(client as unknown as {connection?: {stream?: {destroy(): void}}}).connection?.stream?.destroy();
}

/** The attempt failed at TLS itself: the server has none, or the handshake or the certificate failed. */
function tlsRefused(error: unknown): boolean {
	const e = error as {message?: unknown; code?: unknown};
	const code = typeof e.code === 'string' ? e.code : '';
	return (typeof e.message === 'string' && /does not support SSL/i.test(e.message)) || /^(ERR_SSL|ERR_TLS|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|CERT_)/.test(code);
}

/**
 * Whether a refused attempt says the other way (TLS or plain) may be let in,
 * as libpq decides for sslmode=prefer and allow: TLS failed, or pg_hba.conf
 * has no line for this kind of connection (28000: hostssl or hostnossl).
 */
function otherWayMayWork(error: unknown): boolean {
	return tlsRefused(error) || (error as {code?: unknown}).code === '28000';
}

export class SafeSession {
	private state: State = {kind: 'not-tried'};
	private reconnectsLeft = 1;

	/**
	 * `fallback`: libpq's sslmode=prefer (TLS first, then plain) and allow
	 * (plain first, then TLS): the second way, tried when the first is refused.
	 */
	constructor(
		private readonly config: pg.ClientConfig,
		private readonly timeouts: SessionTimeouts,
		private readonly fallback?: pg.ClientConfig,
	) {}

	/** The connect row (version, role, privileges) while connected. */
	get info(): Row | undefined {
		return this.state.kind === 'connected' ? this.state.info : undefined;
	}

	/** Whether asking for the connection might still succeed. */
	get usable(): boolean {
		return this.state.kind === 'connected' || this.state.kind === 'not-tried' || (this.state.kind === 'lost' && this.reconnectsLeft > 0);
	}

	/**
	 * Connects on first use, reconnects once after a loss; returns why there is
	 * no connection, or undefined when there is one. A refused connection is not retried.
	 */
	async ensureConnected(): Promise<ConnectFailure | undefined> {
		switch (this.state.kind) {
			case 'connected':
				return undefined;
			case 'failed':
				return this.state.failure;
			case 'lost':
				if (this.reconnectsLeft === 0) return this.state.failure;
				this.reconnectsLeft--;
				return this.open();
			case 'not-tried':
				return this.open();
		}
	}

	private async open(): Promise<ConnectFailure | undefined> {
		const first = await this.attempt(this.config);
		if (!('error' in first)) return this.opened(first.client);
		if (!this.fallback || !otherWayMayWork(first.error)) return this.failed(first.error);
		const second = await this.attempt(this.fallback);
		if (!('error' in second)) return this.opened(second.client);
		// Say why the attempt that got further failed: "no pg_hba.conf entry" for plain, not "the server does not support SSL".
		return this.failed(tlsRefused(second.error) && !tlsRefused(first.error) ? first.error : second.error);
	}

	/** One connection attempt with `config`: the connected client, or the error. */
	private async attempt(config: pg.ClientConfig): Promise<{client: pg.Client} | {error: unknown}> {
		// pg (and the sockets, TLS and crypto it pulls in) loads with the first connection, not at start:
		// the guided screen is up before it is needed.
		const {default: driver} = await import('pg');
		const client = new driver.Client({...config, types: valueTypes});
		client.on('error', error => this.lose(client, error));
		client.on('end', () => this.lose(client, new Error('the server closed the connection')));
		try {
			await client.connect();
			return {client};
		} catch (error) {
			destroy(client);
			return {error};
		}
	}

	private async opened(client: pg.Client): Promise<ConnectFailure | undefined> {
		try {
			const result = await this.inReadOnly(client, connectSql);
			this.state = {kind: 'connected', client, info: shapeResult(result).rows[0] ?? {}};
			return undefined;
		} catch (error) {
			destroy(client);
			return this.failed(error);
		}
	}

	private failed(error: unknown): ConnectFailure {
		const failure = classifyConnectError(error);
		this.state = {kind: 'failed', failure};
		return failure;
	}

	private lose(client: pg.Client, error: unknown): void {
		if (this.state.kind !== 'connected' || this.state.client !== client) return;
		destroy(client);
		this.state = {kind: 'lost', failure: classifyConnectError(error)};
	}

	/**
	 * Runs `sql` in its own read-only transaction, with `settings` (custom
	 * `pg500.*` parameters: the runbook's thresholds, the application's roles)
	 * set for that transaction only. Throws the server's error; a lost connection is noted first.
	 */
	async query(sql: string, settings: CheckSettings = {}): Promise<pg.QueryResult> {
		const failure = await this.ensureConnected();
		if (failure || this.state.kind !== 'connected') throw new Error(`no connection: ${failure?.message ?? 'not connected'}`);
		const {client} = this.state;
		try {
			return await this.inReadOnly(client, sql, settings);
		} catch (error) {
			if (connectionLost(error)) this.lose(client, error);
			throw error;
		}
	}

	private inReadOnly(client: pg.Client, sql: string, settings: CheckSettings = {}): Promise<pg.QueryResult> {
		return this.transaction(client, 'READ ONLY', settings, async run => ({commit: false, value: await run(sql)}));
	}

	/**
	 * One short transaction with the session's timeouts and `settings`, all SET
	 * LOCAL in one round trip. `work` sends statements one at a time through
	 * the extended protocol, which takes exactly one statement each: nothing
	 * can slip a COMMIT and more SQL past it. Its statements are unnamed,
	 * which PgBouncer in transaction mode allows. Commits when `work` says so,
	 * else rolls back (always, on an error).
	 */
	private async transaction<T>(
		client: pg.Client,
		mode: 'READ ONLY' | 'READ WRITE',
		settings: CheckSettings,
		work: (run: (sql: string) => Promise<pg.QueryResult>) => Promise<{commit: boolean; value: T}>,
	): Promise<T> {
		const {statementMs, lockMs} = this.timeouts;
		// A network that stops answering never trips statement_timeout: give up on the connection ourselves.
		let watchdog: NodeJS.Timeout | undefined;
		const arm = () => {
			clearTimeout(watchdog);
			watchdog = setTimeout(() => destroy(client), statementMs + clientGraceMs);
		};
		const run = (sql: string) => {
			arm();
			return client.query({text: sql, queryMode: 'extended'} as pg.QueryConfig);
		};
		arm();
		try {
			// standard_conforming_strings on: a database or role that turned it off would make a backslash
			// end a string elsewhere than the runbook's side-effect check (sql/side-effects.ts) read it,
			// and elsewhere than pg500's own quoting (sql/quote.ts) wrote it into an action.
			await client.query(
				`BEGIN ${mode}; SET LOCAL statement_timeout = ${Math.floor(statementMs)}; SET LOCAL lock_timeout = ${Math.floor(lockMs)}; SET LOCAL standard_conforming_strings = on${setLocals(settings)}`,
			);
			let outcome: {commit: boolean; value: T} | undefined;
			try {
				outcome = await work(run);
			} finally {
				if (!outcome?.commit) await client.query('ROLLBACK').catch(() => undefined);
			}
			if (outcome.commit) {
				arm();
				await client.query('COMMIT');
			}
			return outcome.value;
		} finally {
			clearTimeout(watchdog);
		}
	}

	/**
	 * An action a person confirmed: its own READ WRITE transaction with the
	 * same statement and lock timeouts as every check. `work` reads first
	 * (is the target still what the diagnosis saw?) and then acts, or not;
	 * it commits only when `work` says so.
	 */
	async act<T>(settings: CheckSettings, work: (run: (sql: string) => Promise<pg.QueryResult>) => Promise<{commit: boolean; value: T}>): Promise<T> {
		const failure = await this.ensureConnected();
		if (failure || this.state.kind !== 'connected') throw new Error(`no connection: ${failure?.message ?? 'not connected'}`);
		const {client} = this.state;
		try {
			return await this.transaction(client, 'READ WRITE', settings, work);
		} catch (error) {
			if (connectionLost(error)) this.lose(client, error);
			throw error;
		}
	}

	async close(): Promise<void> {
		if (this.state.kind !== 'connected') return;
		const {client} = this.state;
		this.state = {kind: 'failed', failure: {failure: 'other', sqlstate: null, message: 'the session is closed', detail: null}};
		const gaveUp = setTimeout(() => destroy(client), 2000);
		await client.end().catch(() => undefined);
		clearTimeout(gaveUp);
	}
}
