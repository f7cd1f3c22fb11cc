import {test} from 'node:test';
import assert from 'node:assert/strict';
import {loadRunbook} from '../../source/runbook/load.ts';
import type {Runbook, Step} from '../../source/runbook/schema.ts';
import {defaultCauses} from '../../source/runbook/default-causes.ts';

/* Every section of the diagnosis guide (POSTGRES_500_DIAGNOSIS.md) must live
 * in the default runbook. Each test names a section and checks that the part
 * of the runbook carrying it is still there and still says what the guide says. */

const runbook: Runbook = await loadRunbook();

function step(id: string): Step {
	const found = runbook.steps.find(s => s.id === id);
	assert.ok(found, `step ${id} is missing`);
	return found;
}

function sqlOf(s: {query?: string | {sql: string}[]}): string {
	const q = s.query;
	return q === undefined ? '' : typeof q === 'string' ? q : q.map(v => v.sql).join('\n');
}

function textOf(value: unknown): string {
	return JSON.stringify(value);
}

test('the contract step ids come in the guide order', () => {
	const ids = runbook.steps.map(s => s.id);
	const contract = ['server-logs', 'postgres-logs', 'connections', 'locks', 'timeouts', 'schema'];
	assert.deepEqual(
		ids.filter(id => contract.includes(id)),
		contract,
	);
});

test('"Error Flow" and "What Was Changed": the path of a 500 and the added logging', () => {
	const text = textOf([runbook.description, step('code-review')]);
	for (const piece of ['atomic_write', 'postgres/lib.rs:109-113', 'denokv/main.rs:754-758', 'log::error!()', 'From<JsErrorBox>'])
		assert.ok(text.includes(piece), `missing ${piece}`);
});

test('1. Check Server Logs: the guide commands and both log lines', () => {
	const s = step('server-logs');
	assert.equal(s.kind, 'log');
	const text = textOf(s);
	for (const piece of ['RUST_LOG=error', 'RUST_LOG=debug', 'docker logs <container-id> 2>&1 | grep -i error', 'atomic_write failed:', 'Database error:'])
		assert.ok(text.includes(piece), `missing ${piece}`);
});

test('2. Check Postgres Server Logs: where the log is and how to read it', () => {
	const s = step('postgres-logs');
	assert.equal(s.kind, 'log');
	const text = textOf(s);
	for (const piece of ['SHOW log_directory;', 'SHOW log_filename;', '/var/log/postgresql/postgresql-*.log'])
		assert.ok(text.includes(piece), `missing ${piece}`);
});

test('3. Check Connection Pool Status: states per database and max_connections', () => {
	const sql = sqlOf(step('connections'));
	for (const piece of ['pg_stat_activity', "'active'", "'idle'", 'idle in transaction', 'current_database()', 'max_connections', 'state_change'])
		assert.ok(sql.includes(piece), `missing ${piece}`);
});

test('4. Check for Deadlocks: lock waits, the chain and the counter', () => {
	const s = step('locks');
	const sql = sqlOf(s);
	for (const piece of ['pg_locks', 'pg_blocking_pids', 'deadlocks', 'data_version']) assert.ok(sql.includes(piece), `missing ${piece}`);
	const fix = runbook.fixes.find(f => f.id === 'fix-deadlocks');
	assert.ok(fix?.queries.some(q => sqlOf(q).includes('pg_blocking_pids')));
});

test('5. Check Transaction Timeouts: the three settings, as the application gets them', () => {
	const sql = sqlOf(step('timeouts'));
	for (const piece of ['statement_timeout', 'idle_in_transaction_session_timeout', 'lock_timeout', 'pg_db_role_setting'])
		assert.ok(sql.includes(piece), `missing ${piece}`);
});

test('6. Verify Schema is Correct: the tables, their structure and indexes', () => {
	const sql = sqlOf(step('schema'));
	for (const piece of ['kv_store', 'queue_messages', 'queue_running', 'data_version', 'idx_kv_versionstamp', 'idx_queue_running_deadline'])
		assert.ok(sql.includes(piece), `missing ${piece}`);
	const fix = textOf(runbook.fixes.find(f => f.id === 'fix-schema'));
	for (const piece of ['\\\\d kv_store', '\\\\di']) assert.ok(fix.includes(piece), `missing ${piece}`);
});

test('Most Likely Causes: all five of the guide, and the pooler and read-only server it lacks, each with symptom, check and a fix with actions', () => {
	assert.deepEqual(
		runbook.causes.map(c => c.id),
		['pool-exhaustion', 'deadlocks', 'timeouts', 'schema', 'connection-failure', 'pooler', 'read-only-target'],
	);
	// The ids the log classes and the drills name causes by.
	assert.deepEqual(runbook.causes.map(c => c.id), [...defaultCauses]);
	for (const cause of runbook.causes) {
		assert.ok(cause.symptom && cause.check, cause.id);
		assert.ok(cause.evidence.length > 0, `${cause.id} has no evidence`);
		const fix = runbook.fixes.find(f => f.id === cause.fix);
		assert.ok(fix && fix.actions.length > 0, `${cause.id} has no fix`);
	}
	assert.match(textOf(runbook.fixes.find(f => f.id === 'fix-pool-exhaustion')), /max_connections/);
	assert.match(textOf(runbook.fixes.find(f => f.id === 'fix-deadlocks')), /retry/);
	assert.match(textOf(runbook.fixes.find(f => f.id === 'fix-schema')), /initialize_schema\(\)/);
	assert.match(textOf(runbook.fixes.find(f => f.id === 'fix-connection-failure')), /firewall/);
});

test('Code Locations to Review: every file and line range of the guide', () => {
	const text = textOf(step('code-review'));
	for (const piece of ['postgres/backend.rs:170-271', 'line 175', '178-193', '200-251', '255-266', '268', 'postgres/lib.rs:105-116', 'line 109', 'postgres/error.rs'])
		assert.ok(text.includes(piece), `missing ${piece}`);
});

test('Quick Diagnostic Script: table status runs live, the rest is shown', () => {
	const s = step('quick-check');
	assert.equal(s.kind, 'sql');
	assert.match(sqlOf(s), /pg_total_relation_size/);
	assert.match(textOf(s.commands), /blocked_locks/);
});

test('Next Steps: the checklist to tick off', () => {
	const s = step('next-steps');
	assert.equal(s.kind, 'manual');
	assert.equal(s.instructions?.length, 5);
	assert.match(textOf(s), /[Mm]onitor connection pool usage over time/);
});

test('beyond the guide: the known enqueue bug branches to its own fix', () => {
	const s = step('server-logs');
	assert.ok(s.rules.some(r => r.id === 'enqueue-bug'));
	assert.deepEqual(s.next?.[0]?.goto, 'enqueue-bug');
	assert.match(textOf(runbook.fixes.find(f => f.id === 'enqueue-bug')), /not the problem/);
});

test('beyond the guide: every follow-up that queries has rules, so "nothing anomalous" is said only when true', () => {
	for (const fix of runbook.fixes)
		for (const q of fix.queries) if (q.kind === 'sql') assert.ok(q.rules.length > 0, `${fix.id}/${q.id} has no rules`);
});

test('beyond the guide: the fixes pg500 can apply carry their actions, and no command waits for a value pg500 knows', () => {
	const actions = (id: string) => runbook.fixes.find(f => f.id === id)!.actions.flatMap(a => (typeof a === 'string' ? [] : [a.id]));
	assert.deepEqual(actions('fix-deadlocks'), ['end-root-blocker']);
	assert.deepEqual(actions('fix-pool-exhaustion'), ['end-leaked-sessions', 'end-idle-sessions', 'idle-timeout-for-role', 'idle-timeout-for-database']);
	assert.deepEqual(actions('fix-timeouts'), ['reset-database-statement-timeout', 'reset-role-statement-timeout', 'idle-timeout-for-role', 'idle-timeout-for-database', 'cancel-long-queries']);
	// The placeholders of the guide (<host>, <pid>, <app_role>…) are filled from the run; only what pg500 cannot know stays:
	// denokv's own URL and token, its container, and a PgBouncer console it may not have been given.
	const placeholders = [...textOf([runbook.steps.map(s => s.commands), runbook.fixes]).matchAll(/<[a-z][a-z _-]*>/g)].map(m => m[0]);
	assert.deepEqual([...new Set(placeholders)].sort(), ['<admin user>', '<container-id>', '<pgbouncer host>', '<pgbouncer port>', '<token>', '<url>']);
});
