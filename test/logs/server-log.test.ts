import {after, before, test} from 'node:test';
import assert from 'node:assert/strict';
import {runLogStep} from '../../source/logs/run-log-step.ts';
import {byClass, counts, serverLogStep, tempDir, type TempDir} from './helpers.ts';

let tmp: TempDir;
before(async () => {
	tmp = await tempDir();
});
after(() => tmp.remove());

const now = new Date('2026-11-26T10:30:00Z');
const run = async (lines: string[]) => {
	const file = await tmp.write(`s${Math.random()}.log`, `${lines.join('\n')}\n`);
	return runLogStep(serverLogStep, {serverLog: file, tailBytes: 64 << 20, now});
};

// env_logger wording of the newer server: two lines per failing request.
const envLogger = [
	'[2026-11-26T10:00:00Z INFO  denokv] listening on http://0.0.0.0:4512',
	'[2026-11-26T10:00:01Z ERROR denokv] atomic_write failed: Database error: db error: ERROR: deadlock detected',
	'[2026-11-26T10:00:01Z ERROR denokv::postgres] Database error: Database error: db error: ERROR: deadlock detected',
	'[2026-11-26T10:02:00Z ERROR denokv] atomic_write failed: Database error: db error: ERROR: deadlock detected',
	'[2026-11-26T10:02:00Z ERROR denokv::postgres] Database error: Database error: db error: ERROR: deadlock detected',
	'[2026-11-26T10:03:00Z WARN  deadpool.postgres] Connection error: db error: FATAL: sorry, too many clients already',
	'[2026-11-26T10:03:30Z WARN  deadpool.postgres] Connection could not be recycled: Connection closed',
	'[2026-11-26T10:04:00Z ERROR denokv] Connection failed: Failed to get connection: Error occurred while creating a new object: error connecting to server: Connection refused (os error 111)',
	'[2026-11-26T10:05:00Z ERROR denokv] atomic_write failed: error serializing parameter 4: cannot convert between the Rust type `alloc::vec::Vec<alloc::vec::Vec<u8>>` and the Postgres type `_bytea`',
	'[2026-11-26T10:05:00Z ERROR denokv] Database error: error serializing parameter 4: cannot convert between the Rust type `alloc::vec::Vec<alloc::vec::Vec<u8>>` and the Postgres type `_bytea`',
	'[2026-11-26T10:06:00Z ERROR denokv] [denokv/postgres] collect_expired error: db error: ERROR: relation "kv_store" does not exist',
	'[2026-11-26T10:06:30Z ERROR denokv] [denokv/postgres] queue_cleanup error: pool closed',
	'[2026-11-26T10:07:00Z ERROR denokv] atomic_write failed: Database error: db error: ERROR: canceling statement due to statement timeout',
	'[2026-11-26T10:07:00Z ERROR denokv] Database error: Database error: db error: ERROR: canceling statement due to statement timeout',
	'[2026-11-26T10:08:00Z ERROR denokv] atomic_write failed: Database error: something nobody has seen before',
	'[2026-11-26T10:08:00Z ERROR denokv] Database error: Database error: something nobody has seen before',
	'[2026-11-26T10:09:00Z INFO  denokv] POST /v2/atomic_write 500 Internal Server Error 3ms',
];

test('env_logger lines: one row per class, a failing request counted once although it logs two lines', async () => {
	const outcome = await run(envLogger);
	assert.deepEqual(counts(outcome.rows), {
		deadlock: 2,
		'too-many-clients': 1,
		'connection-closed': 1,
		'connection-refused': 1,
		'enqueue-bug': 1,
		'missing-relation': 1,
		'queue-cleanup-error': 1,
		'statement-timeout': 1,
		unclassified: 2,
	});
	assert.equal(outcome.rows[0]!.class, 'deadlock', 'most frequent first');
	const deadlock = byClass(outcome.rows, 'deadlock')!;
	assert.deepEqual(
		{cause: deadlock.cause, sqlstate: deadlock.sqlstate, first: deadlock.first_seen, last: deadlock.last_seen},
		{cause: 'deadlocks', sqlstate: '40P01', first: '2026-11-26T10:00:01.000Z', last: '2026-11-26T10:02:00.000Z'},
	);
	assert.equal(byClass(outcome.rows, 'enqueue-bug')!.cause, 'server-bug');
	assert.equal(byClass(outcome.rows, 'too-many-clients')!.cause, 'pool-exhaustion');
	assert.equal(byClass(outcome.rows, 'statement-timeout')!.sqlstate, '57014');
	assert.equal(byClass(outcome.rows, 'unclassified')!.cause, 'unclassified');
	// Two deadlocks 2 minutes apart: 1/min over the time they span, not 0.22/min over the log's 9 minutes.
	assert.equal(deadlock.per_minute, 1);
	// The log ends at 10:09: the last five minutes (10:04–10:09) hold no deadlock.
	assert.equal(deadlock.per_minute_last_5m, 0);
	assert.equal(byClass(outcome.rows, 'statement-timeout')!.per_minute_last_5m, 0.2);
	// Nine minutes in 5-second buckets, from the first line (a second before the first error) to the last.
	assert.equal(outcome.histogram?.start, '2026-11-26T10:00:00.000Z');
	assert.equal(outcome.histogram?.bucketSeconds, 5);
	assert.equal(outcome.histogram?.counts.length, 109);
	assert.equal(outcome.histogram?.counts.reduce((a, b) => a + b, 0), 11);
	assert.equal(outcome.histogram?.counts[24], 1, '10:02:00, the second deadlock');
	assert.equal(outcome.manual, undefined);
});

test('the older wording (one line per request, JSON-ish records, Debug-formatted errors) is classified too', async () => {
	const outcome = await run([
		'{"timestamp":"2026-11-26T10:10:00.123Z","level":"ERROR","target":"denokv","message":"Database error: db error: ERROR: relation \\"kv_store\\" does not exist"}',
		'{"timestamp":"2026-11-26T10:11:00.123Z","level":"ERROR","target":"denokv","message":"Database error: db error: ERROR: column \\"expires_at\\" does not exist"}',
		'2026-11-26T10:12:00.000000Z ERROR denokv: Database error: Error { kind: Db, cause: Some(DbError { severity: "ERROR", code: SqlState(E55P03), message: "Sperrzeitüberschreitung" }) }',
		'2026-11-26T10:13:00Z ERROR denokv: Error: SQLite path is required when --database-type is sqlite',
		'2026-11-26T10:14:00Z ERROR denokv: Connection error: db error: FATAL: invalid command-line argument for server process: statement_timeout=5000',
		'2026-11-26T10:15:00Z ERROR denokv: Database error: db error: ERROR: cannot execute UPDATE in a read-only transaction',
		'2026-11-26T10:16:00Z ERROR denokv: Database error: db error: FATAL: terminating connection due to idle-in-transaction timeout',
		'2026-11-26T10:17:00Z ERROR denokv: Database error: db error: FATAL: password authentication failed for user "denokv"',
	]);
	assert.deepEqual(counts(outcome.rows), {
		'missing-relation': 1,
		'missing-column': 1,
		'lock-timeout': 1,
		'sqlite-config': 1,
		'startup-option': 1,
		'read-only': 1,
		'idle-in-transaction-timeout': 1,
		'auth-failed': 1,
	});
	assert.equal(byClass(outcome.rows, 'sqlite-config')!.cause, 'server-bug');
	assert.equal(byClass(outcome.rows, 'startup-option')!.cause, 'connection-failure');
	assert.equal(byClass(outcome.rows, 'lock-timeout')!.first_seen, '2026-11-26T10:12:00.000Z');
	assert.equal(byClass(outcome.rows, 'missing-column')!.cause, 'schema');
});

test('syslog / journal timestamps are read, and samples keep at most three lines', async () => {
	const lines = Array.from({length: 5}, (_, i) => `Nov 26 10:0${i}:00 host denokv[812]: ERROR atomic_write failed: db error: ERROR: deadlock detected #${i}`);
	const outcome = await runLogStep(serverLogStep, {
		serverLog: await tmp.write('journal.log', `${lines.join('\n')}\n`),
		tailBytes: 1 << 20,
		now: new Date(2026, 10, 26, 10, 30),
	});
	const row = byClass(outcome.rows, 'deadlock')!;
	assert.equal(row.count, 5);
	assert.equal(row.first_seen, new Date(2026, 10, 26, 10, 0).toISOString());
	assert.equal(row.last_seen, new Date(2026, 10, 26, 10, 4).toISOString());
	// The newest three, oldest first; the example is the newest line.
	assert.equal(String(row.sample).split(' ⏎ ').length, 3);
	assert.match(String(row.sample), /#2 ⏎ .*#3 ⏎ .*#4$/);
	assert.match(String(row.example), /#4$/);
});

test('lines without timestamps: counts, null times, no histogram', async () => {
	const outcome = await run(['atomic_write failed: db error: ERROR: deadlock detected', 'Database error: db error: ERROR: deadlock detected']);
	assert.deepEqual(outcome.rows, [
		{
			class: 'deadlock',
			cause: 'deadlocks',
			count: 1,
			first_seen: null,
			last_seen: null,
			per_minute: null,
			per_minute_last_5m: null,
			sample: 'atomic_write failed: db error: ERROR: deadlock detected',
			example: 'atomic_write failed: db error: ERROR: deadlock detected',
			sqlstate: '40P01',
		},
	]);
	assert.equal(outcome.histogram, undefined);
});

test('no --server-log: a manual step with the guide’s commands', async () => {
	const outcome = await runLogStep(serverLogStep, {tailBytes: 1 << 20});
	assert.match(outcome.manual ?? '', /--server-log/);
	const commands = outcome.rows.map(r => r.command);
	assert.ok(commands.includes('docker logs <container-id> 2>&1 | grep -i error'));
	assert.ok(commands.includes('journalctl -u denokv --since "-30min"'));
	assert.ok(commands.some(c => String(c).startsWith('RUST_LOG=error ./denokv')));
});
