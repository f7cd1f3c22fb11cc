import {test} from 'node:test';
import assert from 'node:assert/strict';
import {postgresClasses, serverBugClasses} from '../../source/logs/log-classes.ts';
import {serverLogClassifier} from '../../source/logs/server-log.ts';

/* Every class, from a message as the server logs it: the cheap prefilter must let each through. */
const examples: Record<string, string> = {
	'enqueue-bug': 'error serializing parameter 2: cannot convert between the Rust type `Vec<Vec<u8>>` and the Postgres type `_bytea`',
	'sqlite-config': 'SQLite path is required',
	'startup-option': 'FATAL: invalid command-line argument for server process: statement_timeout=5000',
	deadlock: 'ERROR: deadlock detected',
	'lock-timeout': 'ERROR: canceling statement due to lock timeout',
	'serialization-failure': 'ERROR: could not serialize access due to concurrent update',
	'too-many-clients': 'FATAL: remaining connection slots are reserved for roles with the SUPERUSER attribute',
	'statement-timeout': 'ERROR: canceling statement due to statement timeout',
	'query-canceled': 'ERROR: canceling statement due to user request',
	'idle-in-transaction-timeout': 'FATAL: terminating connection due to idle-in-transaction timeout',
	'transaction-timeout': 'FATAL: terminating connection due to transaction timeout',
	'idle-session-timeout': 'FATAL: terminating connection due to idle-session timeout',
	'database-missing': 'FATAL: database "kv" does not exist',
	'missing-column': 'ERROR: column "expires_at" of relation "kv_store" does not exist',
	'missing-relation': 'ERROR: relation "data_version" does not exist',
	'missing-function': 'ERROR: function gen_random_uuid() does not exist',
	'read-only': 'ERROR: cannot execute INSERT in a read-only transaction',
	'auth-failed': 'FATAL: password authentication failed for user "denokv"',
	'no-hba-entry': 'FATAL: no pg_hba.conf entry for host "10.0.0.7", user "denokv", database "kv", no encryption',
	'admin-shutdown': 'FATAL: terminating connection due to administrator command',
	'crash-restart': 'FATAL: terminating connection because of crash of another server process',
	'starting-up': 'FATAL: the database system is in recovery mode',
	'disk-full': 'ERROR: could not extend file "base/16384/16385": No space left on device',
	'out-of-memory': 'ERROR: out of memory',
	'connection-refused': 'error connecting to server: Connection refused (os error 111)',
	'connection-closed': 'connection closed',
	'connection-timeout': 'error connecting to server: timed out',
	'prepared-statement-exists': 'ERROR: prepared statement "s0" already exists',
	'prepared-statement-missing': 'ERROR: prepared statement "s2" does not exist',
	'pooler-max-client-conn': 'FATAL: no more connections allowed (max_client_conn)',
	'pooler-query-wait-timeout': 'FATAL: query_wait_timeout',
	'pooler-query-timeout': 'FATAL: query_timeout',
	'pooler-server-login': 'FATAL: server login has been failing, try again later (server_login_retry)',
	'pooler-client-idle-timeout': 'FATAL: client_idle_timeout',
	'pooler-config': 'FATAL: no such database: denokv',
	'pooler-error': 'WARNING C-0x55d4e0a1c2b0: denokv/denokv@10.0.0.7:51234 pooler error: pooler is paused',
};

test('every class is recognised in a server log ERROR line, with its cause and SQLSTATE', () => {
	const table = [...serverBugClasses, ...postgresClasses];
	assert.deepEqual(Object.keys(examples).sort(), table.map(k => k.class).sort());
	for (const k of table) {
		const verdict = serverLogClassifier().classify(`[2026-11-26T10:00:00Z ERROR denokv] atomic_write failed: db error: ${examples[k.class]}`);
		assert.equal(verdict.kind === 'count' ? verdict.klass : undefined, k, k.class);
	}
});

test('INFO lines are only looked at for a 500; ERROR lines that match nothing are not counted', () => {
	const c = serverLogClassifier();
	assert.equal(c.classify('[2026-11-26T10:00:00Z INFO  denokv] upstream timed out, retrying').kind, 'skip');
	assert.equal(c.classify('[2026-11-26T10:00:00Z ERROR denokv] token rejected').kind, 'skip');
	const served = c.classify('[2026-11-26T10:00:00Z INFO  denokv] POST /v2/atomic_write 500 3ms');
	assert.equal(served.kind === 'count' && served.klass.class, 'unclassified');
});
