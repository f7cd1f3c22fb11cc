import {after, before, test} from 'node:test';
import assert from 'node:assert/strict';
import {createExecutor} from '../../source/session/create-executor.ts';
import type {Executor} from '../../source/checks/executor.ts';
import {initialState} from '../../source/engine/reducer.ts';
import {parseRunbook} from '../../source/runbook/parse.ts';
import type {TestServer} from '../support/pg.ts';
import {byClass, logFilePath, logText, relog, startLoggingServer} from './helpers.ts';

/* pg500's own lines in the PostgreSQL log are not evidence: its own check
 * cancelled by its statement timeout must not count as the application's
 * statement timeout. Told apart by application name where the format has
 * it (csvlog, jsonlog, %a), else by the backend pids pg500 used. */

let server: TestServer;
before(async () => {
	// log_destination and log_line_prefix are left to each test (settings given at start-up cannot be changed).
	server = await startLoggingServer({});
});
after(() => server.stop());

const runbook = parseRunbook(
	`
id: noise
title: Noise
steps:
  - {id: connect, title: Connect, why: w, kind: connect}
  - {id: slow, title: Slow, why: w, kind: sql, query: "SELECT pg_sleep(3)"}
  - {id: postgres-logs, title: PostgreSQL log, why: w, kind: log, source: postgres-log}
causes:
  - {id: c, title: C, symptom: s, check: connect, fix: f}
fixes:
  - {id: f, title: F, summary: s, actions: [a]}
`,
	'noise.yaml',
);
const state = initialState(runbook);
const run = (executor: Executor, id: string) => executor.run(runbook.steps.find(s => s.id === id)!, id, state);

/**
 * In a fresh log file (`name.log`; the collector names csvlog and jsonlog files
 * `name.csv` and `name.json`): pg500's check cancelled, then the application's
 * query cancelled; pg500 reads the log.
 */
async function bothCancelled(settings: Record<string, string>, name: string, extension: string) {
	const fileName = `${name}${extension}`;
	await relog(server, settings, `${name}.log`);
	const database = await server.createDatabase();
	const executor = createExecutor({url: server.url(database), statementTimeout: 300, logTailMb: 64, color: false}, {});
	try {
		await run(executor, 'connect');
		const slow = await run(executor, 'slow');
		assert.equal(slow.error?.sqlstate, '57014', 'pg500’s own check was cancelled');
		const app = await server.connect(database);
		await app.query(`SET application_name = 'denokv'; SET statement_timeout = 100`);
		await assert.rejects(app.query('SELECT pg_sleep(2)'), {code: '57014'});
		await logText(await logFilePath(server, fileName), /statement timeout[\s\S]*statement timeout/);
		return await run(executor, 'postgres-logs');
	} finally {
		await executor.close();
	}
}

for (const [format, settings, name, extension] of [
	['stderr with the pid only (%m [%p])', {log_destination: 'stderr', log_line_prefix: '%m [%p] '}, 'pid', '.log'],
	['stderr with the application name (%a)', {log_destination: 'stderr', log_line_prefix: '%m %a@%d '}, 'app', '.log'],
	['csvlog', {log_destination: 'csvlog', log_line_prefix: '%m [%p] '}, 'csv', '.csv'],
	['jsonlog', {log_destination: 'jsonlog', log_line_prefix: '%m [%p] '}, 'json', '.json'],
] as const)
	test(`${format}: pg500's own cancelled check is not the application's statement timeout`, async () => {
		const outcome = await bothCancelled(settings, name, extension);
		assert.equal(outcome.manual, undefined, JSON.stringify(outcome));
		const timeouts = byClass(outcome.rows, 'statement-timeout');
		assert.equal(timeouts?.count, 1, JSON.stringify(outcome.rows));
		assert.doesNotMatch(String(timeouts.sample), /pg_sleep\(3\)|pg500/);
		assert.equal(outcome.notices?.find(n => n.id === 'log-own')?.message, "1 messages of pg500's own sessions were not counted: they are not the application's");
	});

test('a reconnect adds a backend of pg500’s own: its lines are skipped too, by pid', async () => {
	await relog(server, {log_destination: 'stderr', log_line_prefix: '%m [%p] '}, 'reconnect.log');
	const database = await server.createDatabase();
	const executor = createExecutor({url: server.url(database), statementTimeout: 300, logTailMb: 64, color: false}, {});
	try {
		const first = Number((await run(executor, 'connect')).rows[0]!.backend_pid);
		assert.equal((await run(executor, 'slow')).error?.sqlstate, '57014');
		// pg500's connection is terminated under it (its backend logs the FATAL): a later step reconnects
		// (the one right after may still find the connection gone, or already know it).
		await server.sql('postgres', `SELECT pg_terminate_backend(${first})`);
		let slow = await run(executor, 'slow');
		if (slow.error?.sqlstate !== '57014') slow = await run(executor, 'slow');
		assert.equal(slow.error?.sqlstate, '57014', 'cancelled again, on a new backend');
		const text = await logText(await logFilePath(server, 'reconnect.log'), /statement timeout[\s\S]*administrator command[\s\S]*statement timeout/);
		const errors = [...text.matchAll(/\[(\d+)\] (?:ERROR|FATAL):/g)];
		assert.equal(new Set(errors.map(m => m[1])).size, 2, `two backends of pg500's logged errors: ${text}`);
		const outcome = await run(executor, 'postgres-logs');
		// Every error in this log is pg500's own: none is the application's.
		assert.deepEqual(outcome.rows, [], JSON.stringify(outcome.rows));
		assert.equal(outcome.notices?.find(n => n.id === 'log-own')?.message, `${errors.length} messages of pg500's own sessions were not counted: they are not the application's`);
	} finally {
		await executor.close();
	}
});

/* One server's log serves every database on it: another database's statement timeouts are not the
 * target's, where the format names the database (csvlog, jsonlog, a prefix with %d). */
for (const [format, settings, name, extension, tellsDatabase] of [
	["stderr with Debian's prefix (%m [%p] %q%u@%d)", {log_destination: 'stderr', log_line_prefix: '%m [%p] %q%u@%d '}, 'db', '.log', true],
	['csvlog', {log_destination: 'csvlog', log_line_prefix: '%m [%p] '}, 'dbcsv', '.csv', true],
	['jsonlog', {log_destination: 'jsonlog', log_line_prefix: '%m [%p] '}, 'dbjson', '.json', true],
	['stderr without %d', {log_destination: 'stderr', log_line_prefix: '%m [%p] '}, 'nodb', '.log', false],
] as const)
	test(`${format}: ${tellsDatabase ? "another database's statement timeouts are not the target's" : 'every database’s lines count: the log cannot tell them apart'}`, async () => {
		await relog(server, settings, `${name}.log`);
		const [target, other] = [await server.createDatabase(), await server.createDatabase()];
		const cancel = async (database: string, times: number) => {
			const app = await server.connect(database);
			await app.query(`SET application_name = 'denokv'; SET statement_timeout = 50`);
			for (let i = 0; i < times; i++) await assert.rejects(app.query('SELECT pg_sleep(1)'), {code: '57014'});
			await app.end();
		};
		await cancel(other, 3);
		await cancel(target, 1);
		await logText(await logFilePath(server, `${name}${extension}`), /(statement timeout[\s\S]*){4}/);
		const executor = createExecutor({url: server.url(target), statementTimeout: 5000, logTailMb: 64, color: false}, {});
		try {
			await run(executor, 'connect');
			const outcome = await run(executor, 'postgres-logs');
			assert.equal(outcome.manual, undefined, JSON.stringify(outcome));
			assert.equal(byClass(outcome.rows, 'statement-timeout')?.count, tellsDatabase ? 1 : 4, JSON.stringify(outcome.rows));
			assert.equal(
				outcome.notices?.find(n => n.id === 'log-elsewhere')?.message,
				tellsDatabase ? '3 messages of sessions on other databases of this server were not counted: they are not the target\'s' : undefined,
			);
		} finally {
			await executor.close();
		}
	});
