import {test} from 'node:test';
import assert from 'node:assert/strict';
import {consoleRows, resolveConsole, type ConsoleSnapshot} from '../../source/postgres/pgbouncer-console.ts';
import {UsageError} from '../../source/errors.ts';

/* PgBouncer's console turned into the rows the pgbouncer step judges. The
 * snapshot has the columns of PgBouncer 1.18's SHOW output (the integration
 * test reads a real one); here the arithmetic and the edge cases. */

const snapshot: ConsoleSnapshot = {
	version: 'PgBouncer 1.18.0',
	config: {max_client_conn: '100', default_pool_size: '20', query_wait_timeout: '10', pool_mode: 'transaction'},
	databases: [
		{name: 'denokv', pool_size: 4},
		{name: 'other', pool_size: 20},
		{name: 'pgbouncer', pool_size: 2},
	],
	pools: [
		{database: 'pgbouncer', user: 'pgbouncer', cl_active: 1, cl_waiting: 0, sv_active: 0, maxwait: 0, maxwait_us: 0, pool_mode: 'statement'},
		{database: 'other', user: 'app', cl_active: 2, cl_waiting: 0, sv_active: 1, sv_idle: 1, maxwait: 0, maxwait_us: 0, pool_mode: 'transaction'},
		{database: 'denokv', user: 'denokv', cl_active: 4, cl_waiting: 12, sv_active: 4, sv_idle: 0, maxwait: 6, maxwait_us: 250_000, pool_mode: 'transaction'},
	],
	clients: [
		...Array.from({length: 10}, () => ({database: 'denokv', user: 'denokv', state: 'waiting', application_name: 'denokv'})),
		{database: 'denokv', user: 'denokv', state: 'waiting', application_name: ''},
		{database: 'denokv', user: 'denokv', state: 'waiting', application_name: 'cron'},
		{database: 'denokv', user: 'denokv', state: 'active', application_name: 'denokv'},
		{database: 'pgbouncer', user: 'pgbadmin', state: 'active', application_name: 'pg500'},
	],
};

test("one row for PgBouncer, one per pool but the console's, the longest wait first", () => {
	const rows = consoleRows(snapshot);
	assert.deepEqual(
		rows.map(r => [r.kind, r.database ?? null]),
		[
			['pgbouncer', null],
			['pool', 'denokv'],
			['pool', 'other'],
		],
	);
	const [summary, denokv] = rows;
	assert.deepEqual(
		{clients: summary!.clients, max: summary!.max_client_conn, pct: summary!.clients_pct, waiting: summary!.cl_waiting, maxwait: summary!.maxwait_s, version: summary!.version},
		{clients: 14, max: 100, pct: 14, waiting: 12, maxwait: 6.3, version: '1.18.0'},
	);
	// The database's own pool_size, not default_pool_size; maxwait with its microseconds.
	assert.equal(denokv!.pool_size, 4);
	assert.equal(denokv!.maxwait_s, 6.3);
	assert.equal(denokv!.wait_pct_of_timeout, 63);
	assert.equal(denokv!.waiting_clients, 'denokv×10, -×1, cron×1');
	// Absent before 1.21: no prepared statements across transactions.
	assert.equal(denokv!.max_prepared_statements, null);
});

test('max_prepared_statements where PgBouncer has it; no query_wait_timeout, no share of it', () => {
	const rows = consoleRows({...snapshot, config: {...snapshot.config, max_prepared_statements: '200', query_wait_timeout: '0'}});
	assert.equal(rows[1]!.max_prepared_statements, 200);
	assert.equal(rows[1]!.wait_pct_of_timeout, null);
});

test('application names are escaped', () => {
	const rows = consoleRows({...snapshot, clients: [{database: 'denokv', user: 'denokv', state: 'waiting', application_name: 'evil\u001b[2J'}]});
	assert.equal(rows[1]!.waiting_clients, 'evil\\x1b[2J×1');
});

test('--pgbouncer-url: the admin database, PgBouncer’s default port; another database is a usage error', () => {
	const resolved = resolveConsole('postgres://stats:pw@bouncer.internal/pgbouncer');
	assert.deepEqual([resolved.info.host, resolved.info.port, resolved.info.database, resolved.info.user], ['bouncer.internal', 6432, 'pgbouncer', 'stats']);
	assert.equal(resolveConsole('postgres://stats@bouncer.internal:7432').info.database, 'pgbouncer');
	assert.throws(() => resolveConsole('postgres://stats@bouncer.internal:6432/denokv'), UsageError);
	assert.throws(() => resolveConsole('not a url'), (e: Error) => e instanceof UsageError && /--pgbouncer-url/.test(e.message));
});
