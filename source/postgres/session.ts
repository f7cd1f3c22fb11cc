import type pg from 'pg';
import type {Pooler, Row} from '../engine/types.ts';
import {escapeRow} from '../text/escape.ts';
import {classifyConnectError, noAnswerCode, poolerOfFailure, type ConnectFailure, type ConnectStage} from './classify.ts';
import {connectRow} from './connect-row.ts';
import {connectSql} from './privileges.ts';
import {plainRows, valueTypes} from './rows.ts';

/* The safe session: the tool's only connection to a database that is
 * already in trouble. One pg.Client; every check in its own READ ONLY
 * transaction with SET LOCAL timeouts (nothing session-level, nothing named:
 * it works through PgBouncer in transaction mode); an action a person
 * confirmed in its own short READ WRITE one. A connection lost mid-run is
 * reopened once. Checks, watch samples and actions share it: their
 * transactions run one after another, never interleaved. */

export interface SessionTimeouts {
	statementMs: number;
	lockMs: number;
}

export const defaultLockTimeoutMs = 200;
/** PostgreSQL's PGSTAT_IDLE_INTERVAL (10 s), and a second's margin. */
const idleFlushMs = 11_000;
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

/** Drops a client's socket at once: no goodbye to a server that does not answer. */
export function destroy(client: pg.Client): void {
	(client as unknown as {connection?: {stream?: {destroy(): void}}}).connection?.stream?.destroy();
}

/** Says goodbye to the server, or just drops the socket when it does not answer within `ms`. */
export function endWithin(client: pg.Client, ms: number): Promise<void> {
	return new Promise(resolve => {
		const gaveUp = setTimeout(() => {
			destroy(client);
			resolve();
		}, ms);
		void client.end().catch(() => undefined).finally(() => {
			clearTimeout(gaveUp);
			resolve();
		});
	});
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
export function otherWayMayWork(error: unknown): boolean {
	return tlsRefused(error) || (error as {code?: unknown}).code === '28000';
}

export class SafeSession {
	private state: State = {kind: 'not-tried'};
	private reconnectsLeft = 1;
	/** The connection attempt under way, which every caller waits for. */
	private opening: Promise<ConnectFailure | undefined> | undefined;
	/** The end of the last transaction asked for: the next one starts after it. */
	private queue: Promise<unknown> = Promise.resolve();
	/**
	 * Transactions pg500 ended in a rollback on the server (every check and
	 * sample, an action the guard stopped): `pg500 watch` takes its own out
	 * of pg_stat_database's counts.
	 */
	private rollbacksEnded = 0;
	/** Of those, the last ones whose statistics the backend has not flushed yet. */
	private unflushed = 0;
	private lastEndedAt = 0;
	/**
	 * PostgreSQL 15 and later: each transaction asks its backend to flush
	 * its statistics when it ends (pg_stat_force_next_flush), so pg500's own
	 * rollbacks are counted at once and a watch can take them out exactly.
	 */
	private flushesStatistics: boolean | undefined;
	private foundPooler: Pooler | null = null;

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

	/**
	 * The pooler pg500 found in front of PostgreSQL: from the login (a pid
	 * that is not the backend's) or from a refusal only PgBouncer words so.
	 * Once found it stays found, whatever happens to the connection.
	 */
	get pooler(): Pooler | null {
		return this.foundPooler;
	}

	/** Why the connection was lost, while it is lost (before a reconnect is tried). */
	get lostBecause(): ConnectFailure | undefined {
		return this.state.kind === 'lost' ? this.state.failure : undefined;
	}

	/**
	 * Every transaction pg500 ended in a rollback on this session: the server
	 * counts them all once the backend has ended (a session replaced by another).
	 */
	get rollbacks(): number {
		return this.rollbacksEnded;
	}

	/** Whether asking for the connection might still succeed. */
	get usable(): boolean {
		return this.state.kind === 'connected' || this.state.kind === 'not-tried' || (this.state.kind === 'lost' && this.reconnectsLeft > 0);
	}

	/**
	 * Connects on first use, reconnects once after a loss; returns why there is
	 * no connection, or undefined when there is one. A refused connection is not retried.
	 * Callers at the same moment (a check and a watch sample) share one attempt: one connection.
	 */
	ensureConnected(): Promise<ConnectFailure | undefined> {
		if (this.opening) return this.opening;
		switch (this.state.kind) {
			case 'connected':
				return Promise.resolve(undefined);
			case 'failed':
				return Promise.resolve(this.state.failure);
			case 'lost':
				if (this.reconnectsLeft === 0) return Promise.resolve(this.state.failure);
				this.reconnectsLeft--;
				break;
			case 'not-tried':
				break;
		}
		this.opening = this.open().finally(() => (this.opening = undefined));
		return this.opening;
	}

	private async open(): Promise<ConnectFailure | undefined> {
		const first = await this.attempt(this.config);
		if (!('error' in first)) return this.opened(first.client);
		if (!this.fallback || !otherWayMayWork(first.error)) return this.failed(first.error, first.stage);
		const second = await this.attempt(this.fallback);
		if (!('error' in second)) return this.opened(second.client);
		// Say why the attempt that got further failed: "no pg_hba.conf entry" for plain, not "the server does not support SSL".
		const further = tlsRefused(second.error) && !tlsRefused(first.error) ? first : second;
		return this.failed(further.error, further.stage);
	}

	/** One connection attempt with `config`: the connected client, or the error and how far the attempt got. */
	private async attempt(config: pg.ClientConfig): Promise<{client: pg.Client} | {error: unknown; stage: ConnectStage}> {
		// pg (and the sockets, TLS and crypto it pulls in) loads with the first connection, not at start:
		// the guided screen is up before it is needed.
		const {default: driver} = await import('pg');
		const client = new driver.Client({...config, types: valueTypes});
		client.on('error', error => this.lose(client, error));
		client.on('end', () => this.lose(client, new Error('the server closed the connection')));
		// How far the login got says what a timeout means: no socket (network), or an answer that stalled.
		let stage: ConnectStage = 'tcp';
		(client as unknown as {connection: {once(event: 'connect', listener: () => void): void}}).connection.once('connect', () => (stage = 'login'));
		try {
			await client.connect();
			return {client};
		} catch (error) {
			destroy(client);
			return {error, stage};
		}
	}

	/** The connect step's row, from connectSql on `client`: who pg500 is, where, and through what. */
	private async lookedAt(client: pg.Client): Promise<Row> {
		const result = await this.inReadOnly(client, connectSql);
		const {host, port} = this.config;
		const protocolPid = (client as unknown as {processID: number | null}).processID;
		return escapeRow(connectRow(plainRows(result)[0] ?? {}, {host: String(host), port: Number(port), protocolPid}));
	}

	/** The connect step's row looked at again on the open connection: fresh figures (the deadlock counter), not the first look's. */
	lookAgain(): Promise<Row> {
		return this.inTurn(() =>
			this.onConnection(async client => {
				const info = await this.lookedAt(client);
				if (this.state.kind === 'connected' && this.state.client === client) this.state = {...this.state, info};
				return info;
			}),
		);
	}

	private async opened(client: pg.Client): Promise<ConnectFailure | undefined> {
		try {
			const info = await this.lookedAt(client);
			this.foundPooler ??= info.pooler === 'pgbouncer' ? 'pgbouncer' : null;
			this.state = {kind: 'connected', client, info};
			if (this.flushesStatistics === undefined && Number(info.server_version_num) >= 150000) {
				this.flushesStatistics = true;
				// The connect transaction ran before the version was known: its statistics wait.
				this.unflushed = 1;
			}
			return undefined;
		} catch (error) {
			destroy(client);
			return this.failed(error, 'query');
		}
	}

	private failed(error: unknown, stage: ConnectStage): ConnectFailure {
		const failure = classifyConnectError(error, stage);
		this.foundPooler ??= poolerOfFailure(failure);
		this.state = {kind: 'failed', failure};
		return failure;
	}

	private lose(client: pg.Client, error: unknown): void {
		if (this.state.kind !== 'connected' || this.state.client !== client) return;
		destroy(client);
		this.state = {kind: 'lost', failure: classifyConnectError(error, 'query')};
		// A backend that ends flushes what it had not.
		this.unflushed = 0;
	}

	/**
	 * Runs `sql` in its own read-only transaction, with `settings` (custom
	 * `pg500.*` parameters: the runbook's thresholds, the application's roles)
	 * set for that transaction only. Throws the server's error; a lost connection is noted first.
	 */
	async query(sql: string, settings: CheckSettings = {}): Promise<pg.QueryResult> {
		return (await this.queryCounting(sql, settings)).result;
	}

	/**
	 * As query(), with how many of pg500's own rollbacks the server's
	 * statistics count when this one begins: a watch sample takes exactly
	 * those out of pg_stat_database's rollbacks.
	 */
	queryCounting(sql: string, settings: CheckSettings = {}): Promise<{result: pg.QueryResult; settledBefore: number}> {
		return this.inTurn(() =>
			this.onConnection(async client => {
				const settledBefore = this.settledRollbacks();
				return {result: await this.inReadOnly(client, sql, settings), settledBefore};
			}),
		);
	}

	/**
	 * An action a person confirmed: its own READ WRITE transaction with the
	 * same statement and lock timeouts as every check, in its turn like them
	 * (never inside a check or a watch sample). `work` reads first (is the
	 * target still what the diagnosis saw?) and then acts, or not; it
	 * commits only when `work` says so.
	 */
	act<T>(settings: CheckSettings, work: (run: (sql: string) => Promise<pg.QueryResult>) => Promise<{commit: boolean; value: T}>): Promise<T> {
		// The guard, the action, the commit: three statements' worth of answer.
		return this.inTurn(() => this.onConnection(client => this.answered(client, 3, () => this.transaction(client, 'READ WRITE', settings, work))));
	}

	/**
	 * Runs `next` after every transaction asked for before it: pg.Client queues
	 * statements, but the BEGIN … ROLLBACK of two callers (a check, a watch
	 * sample, an action) would interleave in one transaction.
	 */
	private inTurn<T>(next: () => Promise<T>): Promise<T> {
		const turn = this.queue.then(next);
		this.queue = turn.catch(() => undefined);
		return turn;
	}

	/** `use` on the connection (opened or reopened first); a lost connection is noted before the error goes on. */
	private async onConnection<T>(use: (client: pg.Client) => Promise<T>): Promise<T> {
		const failure = await this.ensureConnected();
		if (failure || this.state.kind !== 'connected') throw new Error(`no connection: ${failure?.message ?? 'not connected'}`);
		const {client} = this.state;
		try {
			return await use(client);
		} catch (error) {
			if (connectionLost(error)) this.lose(client, error);
			throw error;
		}
	}

	/** Runs one check in its read-only transaction, and gives the connection up when no answer comes at all. */
	private inReadOnly(client: pg.Client, sql: string, settings: CheckSettings = {}): Promise<pg.QueryResult> {
		return this.answered(client, 1, () => this.transaction(client, 'READ ONLY', settings, async run => ({commit: false, value: await run(sql)})));
	}

	/**
	 * `work` on `client`, given up when no answer comes within the statement
	 * timeout of each of its `statements` and a grace: a network that stops
	 * answering, or a pooler that queues the transaction for a server
	 * connection, never trips statement_timeout.
	 */
	private async answered<T>(client: pg.Client, statements: number, work: () => Promise<T>): Promise<T> {
		const waitMs = statements * this.timeouts.statementMs + clientGraceMs;
		let noAnswer: Error | undefined;
		const watchdog = setTimeout(() => {
			noAnswer = Object.assign(new Error(`no answer within ${Math.round(waitMs / 1000)} s (pg500 gave the connection up)`), {code: noAnswerCode});
			// Noted before the socket closes: the loss is the silence, not the close that follows.
			this.lose(client, noAnswer);
			destroy(client);
		}, waitMs);
		try {
			return await work();
		} catch (error) {
			throw noAnswer ?? error;
		} finally {
			clearTimeout(watchdog);
		}
	}

	/**
	 * One short transaction, opened by begin(); then `work` sends statements
	 * one at a time through the extended protocol, which takes exactly one
	 * statement each — nothing can slip a COMMIT and more SQL past it (a
	 * check's READ ONLY can never be left for a write); its statements are
	 * unnamed, which PgBouncer in transaction mode allows. Commits when
	 * `work` says so, else rolls back (always, on an error).
	 */
	private async transaction<T>(
		client: pg.Client,
		mode: 'READ ONLY' | 'READ WRITE',
		settings: CheckSettings,
		work: (run: (sql: string) => Promise<pg.QueryResult>) => Promise<{commit: boolean; value: T}>,
	): Promise<T> {
		let flushed = false;
		let outcome: {commit: boolean; value: T} | undefined;
		try {
			flushed = await this.begin(client, mode, settings);
			outcome = await work(sql => client.query({text: sql, queryMode: 'extended'} as pg.QueryConfig));
		} finally {
			if (!outcome?.commit) {
				await client.query('ROLLBACK').then(
					() => this.ended(flushed, true),
					() => undefined,
				);
			}
		}
		if (!outcome.commit) return outcome.value;
		await client.query('COMMIT').then(
			() => this.ended(flushed, false),
			error => {
				// A COMMIT that fails ends the transaction in a rollback on the server.
				this.ended(flushed, true);
				throw error;
			},
		);
		return outcome.value;
	}

	/**
	 * Opens the transaction in one round trip: its timeouts and the caller's
	 * parameters, all SET LOCAL. standard_conforming_strings on: a database or
	 * role that turned it off would make a backslash end a string elsewhere
	 * than the runbook's side-effect check (sql/side-effects.ts) read it, and
	 * elsewhere than pg500's own quoting (sql/quote.ts) wrote it into an action.
	 * jit off: a query over pg_locks on a busy server is estimated costly
	 * enough to be compiled by LLVM, tens of milliseconds of a sick server's
	 * CPU for a query that runs once.
	 * Says whether the backend flushes its statistics when it ends.
	 */
	private async begin(client: pg.Client, mode: 'READ ONLY' | 'READ WRITE', settings: CheckSettings): Promise<boolean> {
		const {statementMs, lockMs} = this.timeouts;
		const open = `BEGIN ${mode}; SET LOCAL statement_timeout = ${Math.floor(statementMs)}; SET LOCAL lock_timeout = ${Math.floor(lockMs)}; SET LOCAL standard_conforming_strings = on; SET LOCAL jit = off${setLocals(settings)}`;
		if (this.flushesStatistics) {
			try {
				await client.query(`${open}; SELECT pg_stat_force_next_flush()`);
				return true;
			} catch (error) {
				if ((error as {code?: unknown}).code !== '42501') throw error;
				// A role denied it (a REVOKE from PUBLIC): the statistics come as PostgreSQL sends them.
				this.flushesStatistics = false;
				await client.query('ROLLBACK');
				this.ended(false, true);
			}
		}
		await client.query(open);
		return false;
	}

	/**
	 * One of pg500's transactions ended; `flushed`: its statistics (and those
	 * of the ones before it) are counted already. Only rollbacks are
	 * counted for watch to take out: the one commit of a confirmed action
	 * stays in the commit rate — one commit beside a denokv's write load is
	 * negligible, and the action is marked on the charts anyway.
	 */
	private ended(flushed: boolean, rolledBack: boolean): void {
		if (rolledBack) this.rollbacksEnded++;
		this.lastEndedAt = performance.now();
		this.unflushed = flushed || !this.flushesStatistics ? 0 : this.unflushed + (rolledBack ? 1 : 0);
	}

	/**
	 * pg500's rollbacks that pg_stat_database counts by now: on PostgreSQL
	 * 15 and later each transaction flushes its statistics as it ends, except
	 * the connection's first (the server version is not known yet), which a
	 * backend flushes at the next transaction's end or after 10 s idle
	 * (PGSTAT_IDLE_INTERVAL). Before 15 the statistics collector counts within
	 * half a second: all of them.
	 */
	private settledRollbacks(): number {
		if (this.unflushed > 0 && performance.now() - this.lastEndedAt > idleFlushMs) this.unflushed = 0;
		return this.rollbacksEnded - this.unflushed;
	}

	/** Closes the connection once the transactions asked for before have ended: another session takes over, and they finish first. */
	closeInTurn(): Promise<void> {
		return this.inTurn(() => this.close());
	}

	async close(): Promise<void> {
		if (this.state.kind !== 'connected') return;
		const {client} = this.state;
		this.state = {kind: 'failed', failure: {failure: 'other', sqlstate: null, message: 'the session is closed', detail: null}};
		await endWithin(client, 2000);
	}
}
