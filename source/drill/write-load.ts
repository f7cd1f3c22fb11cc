import {createWriteStream, type WriteStream} from 'node:fs';
import pg from 'pg';
import {formatEnvLoggerLine} from './server-log.ts';

/* A healthy denokv under traffic: N clients, each doing the server's
 * `atomic_write` in a loop, exactly as the PostgreSQL backend of the denokv
 * fork does it (one READ COMMITTED transaction: bump the data_version row,
 * read the versionstamp of the key checked, upsert the key, commit). Every
 * writer queues on the one data_version row, so under concurrency a few of
 * them always wait for a few milliseconds: that is what normal looks like,
 * and what every rule must call "ok". Drills run their fault on top of it.
 *
 * Like tokio-postgres, each connection prepares *named* statements, their
 * names drawn from one counter for the whole process (s0, s1, s2 for the
 * first connection, s3, s4, s5 for the next…): behind a PgBouncer in
 * transaction mode they break exactly as denokv does ("prepared statement
 * "s4" does not exist" on a server connection another client prepared on).
 * Failures are logged in env_logger's format with the two lines denokv
 * writes for a failed request. */

export interface WriteLoadOptions {
	/** The URL the "server" connects with (its role and database). */
	url: string;
	clients: number;
	/** Keys are drawn from key-1 … key-N (the drills' seed uses key-1 … key-200). */
	keySpace?: number;
	/** Mean pause between two writes of one client, in ms (uniform 0 … 2×). */
	pauseMs?: number;
	/** Appends each failed write (two lines) and connection failure here, as the server logs them. */
	logPath?: string;
	/** Older denokv versions have no data_version table. */
	dataVersion?: boolean;
	/** false: unnamed statements, as a client fit for PgBouncer's transaction mode (denokv names them: the default). */
	namedStatements?: boolean;
	applicationName?: string;
}

export interface WriteLoadStats {
	committed: number;
	failed: number;
	/** Clients that currently hold a connection. */
	connected: number;
	/** The last failure's text, for a test's assertion message. */
	lastError?: string;
}

export interface WriteLoad {
	/** Resolves once every client has committed one write (the load is flowing), or rejects after 15 s. */
	readonly flowing: Promise<void>;
	stats(): WriteLoadStats;
	/** Ends every client's loop and connection; waits for them. */
	stop(): Promise<void>;
}

const statements = {
	bump: 'UPDATE data_version SET version = version + 1 WHERE k = 0 RETURNING version',
	check: 'SELECT versionstamp FROM kv_store WHERE key = $1',
	upsert: `INSERT INTO kv_store (key, value, value_encoding, versionstamp, expires_at) VALUES ($1, $2, $3, $4, NULL)
ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, value_encoding = EXCLUDED.value_encoding,
  versionstamp = EXCLUDED.versionstamp, updated_at = now(), expires_at = EXCLUDED.expires_at`,
} as const;
type StatementNames = Record<keyof typeof statements, string>;

/** tokio-postgres's statement counter: one for the whole process, so no two connections share a name. */
let nextStatementId = 0;
function newStatementNames(): StatementNames {
	const name = () => `s${nextStatementId++}`;
	return {bump: name(), check: name(), upsert: name()};
}

/** A denokv versionstamp: the 8-byte commit version, big-endian, and a 2-byte batch index. */
function versionstamp(version: bigint): Buffer {
	const stamp = Buffer.alloc(10);
	stamp.writeBigUInt64BE(version);
	return stamp;
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** tokio-postgres's `query_one` on a result without exactly one row (the data_version row deleted). */
class RowCountError extends Error {
	constructor() {
		super('query returned an unexpected number of rows');
	}
}

/** What tokio-postgres prints for a failure: `db error: ERROR: message` for the server's. */
function dbErrorText(error: unknown): string {
	if (error instanceof RowCountError) return error.message;
	const e = error as {severity?: string; message?: string};
	return e.severity ? `db error: ${e.severity}: ${e.message}` : `error communicating with the server: ${e.message ?? String(error)}`;
}

export function startWriteLoad(options: WriteLoadOptions): WriteLoad {
	const keySpace = options.keySpace ?? 200;
	const pauseMs = options.pauseMs ?? 5;
	const dataVersion = options.dataVersion ?? true;
	const named = options.namedStatements ?? true;
	/** Each connection's statement names, prepared on first use (deadpool-postgres's statement cache). */
	const names = new WeakMap<pg.Client, StatementNames>();
	const statement = (client: pg.Client, which: keyof typeof statements) => {
		const text = statements[which];
		if (!named) return {text};
		if (!names.has(client)) names.set(client, newStatementNames());
		return {name: names.get(client)![which], text};
	};
	const log: WriteStream | undefined = options.logPath ? createWriteStream(options.logPath, {flags: 'a', mode: 0o600}) : undefined;
	const logLine = (level: 'WARN' | 'ERROR', target: string, message: string) => log?.write(`${formatEnvLoggerLine(new Date(), level, target, message)}\n`);
	const stats: WriteLoadStats = {committed: 0, failed: 0, connected: 0};
	let stopped = false;
	const clients = new Set<pg.Client>();

	let flowingCount = 0;
	let markFlowing!: () => void;
	let failFlowing!: (error: Error) => void;
	const flowing = new Promise<void>((resolve, reject) => {
		markFlowing = resolve;
		failFlowing = reject;
	});
	flowing.catch(() => {});
	const flowTimer = setTimeout(() => failFlowing(new Error(`the write load is not flowing after 15 s (${stats.committed} writes, last error: ${stats.lastError ?? 'none'})`)), 15_000);
	flowTimer.unref();

	async function connect(): Promise<pg.Client | undefined> {
		const client = new pg.Client({connectionString: options.url, application_name: options.applicationName ?? 'denokv'});
		client.on('error', () => {});
		try {
			await client.connect();
			clients.add(client);
			stats.connected++;
			return client;
		} catch (error) {
			await client.end().catch(() => {});
			const reason = (error as {code?: string}).code === 'ECONNREFUSED' ? 'Connection refused (os error 111)' : dbErrorText(error);
			stats.lastError = reason;
			if (!stopped)
				logLine('ERROR', 'denokv', `Connection failed: Failed to get connection: Error occurred while creating a new object: error connecting to server: ${reason}`);
			return undefined;
		}
	}

	function drop(client: pg.Client): void {
		if (!clients.delete(client)) return;
		stats.connected--;
		void client.end().catch(() => {});
	}

	async function atomicWrite(client: pg.Client): Promise<void> {
		const key = Buffer.from(`key-${1 + Math.floor(Math.random() * keySpace)}`);
		await client.query('BEGIN');
		try {
			let version = BigInt(Date.now());
			if (dataVersion) {
				const bumped = await client.query(statement(client, 'bump'));
				if (bumped.rows.length !== 1) throw new RowCountError();
				version = BigInt(bumped.rows[0].version as string);
			}
			await client.query({...statement(client, 'check'), values: [key]});
			await client.query({...statement(client, 'upsert'), values: [key, Buffer.from(`value-${version}`), 1, versionstamp(version)]});
			await client.query('COMMIT');
		} catch (error) {
			await client.query('ROLLBACK').catch(() => {});
			throw error;
		}
	}

	async function runClient(index: number): Promise<void> {
		let client: pg.Client | undefined;
		let counted = false;
		// Start the clients a little apart, as requests arrive.
		await sleep(index * 2);
		while (!stopped) {
			client ??= await connect();
			if (!client) {
				// deadpool creates a connection per request: the next request tries again.
				await sleep(1000);
				continue;
			}
			try {
				await atomicWrite(client);
				stats.committed++;
				if (!counted && ++flowingCount === options.clients) {
					clearTimeout(flowTimer);
					markFlowing();
				}
				counted = true;
			} catch (error) {
				if (stopped) break;
				stats.failed++;
				const text = dbErrorText(error);
				stats.lastError = text;
				logLine('ERROR', 'denokv', `atomic_write failed: Database error: ${text}`);
				logLine('ERROR', 'denokv', `Database error: Database error: ${text}`);
				const code = (error as {code?: string}).code;
				// A connection the server ended (or that broke) goes back to the pool and is not recycled.
				if (!(error instanceof RowCountError) && (!code || /^(08|57P)/.test(code))) {
					logLine('WARN', 'deadpool.postgres', 'Connection could not be recycled: Connection closed');
					drop(client);
					client = undefined;
				}
			}
			if (pauseMs > 0) await sleep(Math.random() * 2 * pauseMs);
		}
		if (client) drop(client);
	}

	const loops = Array.from({length: options.clients}, (_, i) => runClient(i));
	return {
		flowing,
		stats: () => ({...stats}),
		async stop() {
			stopped = true;
			clearTimeout(flowTimer);
			// A client stuck behind a lock would hold stop() up: ending its connection frees it.
			for (const client of clients) drop(client);
			await Promise.allSettled(loops);
			if (log) await new Promise<void>(resolve => log.end(resolve));
		},
	};
}
