import {after, before, test} from 'node:test';
import assert from 'node:assert/strict';
import {runLogStep} from '../../source/logs/run-log-step.ts';
import {postgresLogCommands} from '../../source/logs/manual-commands.ts';
import {readLogSettings} from '../../source/logs/pg-log-sql.ts';
import type {TestServer} from '../support/pg.ts';
import {byClass, collectorLogDirectory as logDirectory, deadlock, postgresLogStep, sqlOf, startLoggingServer} from './helpers.ts';

let server: TestServer;
before(async () => {
	server = await startLoggingServer({log_destination: 'csvlog', log_lock_waits: 'on', deadlock_timeout: '100ms'});
});
after(() => server.stop());

test('through SQL: the newest csvlog file, read by a superuser, shows a real missing table and a real deadlock', async () => {
	const database = await server.createDatabase();
	// Twice: with the deadlock's ERROR that makes three timed lines, enough for a chart (minChartLines)
	// whether or not a "still waiting" line is logged too.
	for (let i = 0; i < 2; i++) await assert.rejects(server.sql(database, 'SELECT * FROM kv_store_missing'), {code: '42P01'});
	await deadlock(server, database);
	const client = await server.connect(database);
	const outcome = await runLogStep(postgresLogStep, {sql: sqlOf(client), tailBytes: 64 << 20});
	assert.equal(outcome.manual, undefined);
	const missing = byClass(outcome.rows, 'missing-relation');
	assert.equal(missing?.cause, 'schema');
	assert.equal(missing?.count, 2);
	assert.match(String(missing?.sample), /relation "kv_store_missing" does not exist/);
	assert.equal(byClass(outcome.rows, 'deadlock')?.count, 1);
	assert.match(String(byClass(outcome.rows, 'deadlock')?.sample), /DETAIL: Process \d+ waits for ShareLock/);
	// No assertion on a "still waiting" line: whether one is logged depends on which of
	// the two backends runs the deadlock check first (the parser's tests cover the line).
	assert.match(outcome.notices?.[0]?.message ?? '', /accept connections\/postgresql-.*\.csv \(read through SQL\)/);
	assert.ok(outcome.histogram && outcome.histogram.counts.reduce((x, y) => x + y, 0) >= 3);

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
