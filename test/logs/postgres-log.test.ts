import {after, before, test} from 'node:test';
import assert from 'node:assert/strict';
import {runLogStep} from '../../source/logs/run-log-step.ts';
import {postgresLogClassifier} from '../../source/logs/postgres-log.ts';
import {scanLog} from '../../source/logs/scan.ts';
import {TimeReader} from '../../source/logs/timestamps.ts';
import {byClass, counts, postgresLogStep, tempDir, type TempDir} from './helpers.ts';

let tmp: TempDir;
before(async () => {
	tmp = await tempDir();
});
after(() => tmp.remove());

const now = new Date('2026-11-26T12:00:00Z');
const read = async (name: string, text: string) => runLogStep(postgresLogStep, {pgLog: await tmp.write(name, text), tailBytes: 64 << 20, now});

/** The same events under a given prefix: `p(time, pid)` writes the prefix. */
function events(p: (time: string, pid: number) => string): string {
	const t = (s: number) => `2026-11-26 11:00:${String(s).padStart(2, '0')}.123 UTC`;
	return [
		`${p(t(0), 100)}LOG:  checkpoint starting: time`,
		`${p(t(1), 101)}LOG:  process 101 still waiting for ShareLock on transaction 745 after 1000.052 ms`,
		`${p(t(1), 101)}DETAIL:  Process holding the lock: 102. Wait queue: 101.`,
		`${p(t(2), 101)}ERROR:  deadlock detected`,
		`${p(t(2), 101)}DETAIL:  Process 101 waits for ShareLock on transaction 745; blocked by process 102.`,
		'\tProcess 102 waits for ShareLock on transaction 744; blocked by process 101.',
		`${p(t(2), 101)}HINT:  See server log for query details.`,
		`${p(t(2), 101)}STATEMENT:  UPDATE data_version SET version = version + 1 WHERE k = 0 RETURNING version`,
		`${p(t(3), 103)}FATAL:  sorry, too many clients already`,
		`${p(t(4), 104)}ERROR:  column "expires_at" of relation "kv_store" does not exist at character 8`,
		`${p(t(5), 105)}FATAL:  password authentication failed for user "denokv"`,
		`${p(t(5), 105)}DETAIL:  Connection matched file "/etc/postgresql/pg_hba.conf" line 99: "host all all 0.0.0.0/0 scram-sha-256"`,
		`${p(t(6), 1)}LOG:  server process (PID 106) was terminated by signal 9: Killed`,
		`${p(t(7), 107)}PANIC:  could not write to file "pg_wal/xlogtemp.107": No space left on device`,
		`${p(t(8), 108)}ERROR:  syntax error at or near "SELEC" at character 1`,
		`${p(t(9), 109)}ERROR:  canceling statement due to statement timeout`,
		'',
	].join('\n');
}

const expected = {
	'lock-wait': 1,
	deadlock: 1,
	'too-many-clients': 1,
	'missing-column': 1,
	'auth-failed': 1,
	'crash-restart': 1,
	'disk-full': 1,
	unclassified: 1,
	'statement-timeout': 1,
};

test('stderr with the default prefix %m [%p]: failures, lock waits and crashes counted; DETAIL joins its ERROR', async () => {
	const outcome = await read('postgresql.log', events((time, pid) => `${time} [${pid}] `));
	assert.deepEqual(counts(outcome.rows), expected);
	const deadlock = byClass(outcome.rows, 'deadlock')!;
	assert.equal(deadlock.sample, '2026-11-26 11:00:02.123 UTC [101] ERROR:  deadlock detected DETAIL: Process 101 waits for ShareLock on transaction 745; blocked by process 102.');
	assert.equal(deadlock.first_seen, '2026-11-26T11:00:02.123Z');
	assert.equal(byClass(outcome.rows, 'lock-wait')!.cause, 'deadlocks');
	assert.equal(byClass(outcome.rows, 'crash-restart')!.sqlstate, '57P02');
	// The LOG line's DETAIL does not join the lock wait's sample across the checkpoint: it is the lock wait's own.
	assert.match(String(byClass(outcome.rows, 'lock-wait')!.sample), /Wait queue: 101\.$/);
	assert.doesNotMatch(String(byClass(outcome.rows, 'unclassified')!.sample), /DETAIL/);
});

test('stderr with a pgBadger-style prefix', async () => {
	const outcome = await read('custom.log', events((time, pid) => `${time.slice(0, 19)} UTC [${pid}]: [3-1] user=denokv,db=kv,app=denokv,client=10.0.0.7 `));
	assert.deepEqual(counts(outcome.rows), expected);
});

test('a prefix with %e (known from log_line_prefix): the SQLSTATE classifies messages in another language', async () => {
	const lines = [
		'2026-11-26 11:00:00.000 UTC [7] 40P01 ERROR:  Verklemmung (Deadlock) entdeckt',
		'2026-11-26 11:00:01.000 UTC [7] 42P01 ERROR:  Relation »kv_store« existiert nicht',
		'2026-11-26 11:00:02.000 UTC [7] 22012 ERROR:  Division durch Null',
	];
	const scanned = await scanLog(
		(async function* () {
			yield Buffer.from(`${lines.join('\n')}\n`);
		})(),
		postgresLogClassifier({linePrefix: '%m [%p] %e ', times: new TimeReader({now})}),
		{times: new TimeReader({now})},
	);
	assert.deepEqual(counts(scanned.tally.rows(null)), {deadlock: 1, 'missing-relation': 1, unclassified: 1});
	// Without the prefix the German text matches nothing: unclassified.
	const blind = await read('german.log', `${lines.join('\n')}\n`);
	assert.deepEqual(counts(blind.rows), {unclassified: 3});
});

test('log_error_verbosity = verbose puts the SQLSTATE after the severity', async () => {
	const outcome = await read('verbose.log', '2026-11-26 11:00:00.000 UTC [7] ERROR:  55P03: konnte Sperre nicht setzen\n2026-11-26 11:00:00.000 UTC [7] LOCATION:  x.c:1\n');
	assert.deepEqual(counts(outcome.rows), {'lock-timeout': 1});
});

test('csvlog, with a message spanning lines and quotes doubled', async () => {
	const csv = [
		'2026-11-26 11:00:00.123 UTC,"denokv","kv",201,"10.0.0.7:5000",6745a1.c9,1,"UPDATE",2026-11-26 10:59:00 UTC,3/7,745,ERROR,40P01,"deadlock detected","Process 201 waits for ShareLock on transaction 746; blocked by process 202.',
		'Process 202 waits for ShareLock on transaction 745; blocked by process 201.","See server log for query details.",,,"while updating tuple (0,1) in relation ""data_version""","UPDATE data_version SET version = version + 1",,,"denokv","client backend",,0',
		'2026-11-26 11:00:01.000 UTC,"denokv","kv",203,"10.0.0.7:5001",6745a1.cb,1,"SELECT",2026-11-26 10:59:00 UTC,3/8,0,ERROR,42P01,"relation ""kv_store"" does not exist",,,,,,"SELECT 1 FROM kv_store",15,,"denokv","client backend",,0',
		'2026-11-26 11:00:02.000 UTC,,,1,,6745a0.1,5,,2026-11-26 10:00:00 UTC,,0,LOG,00000,"checkpoint complete",,,,,,,,,"","checkpointer",,0',
		'',
	].join('\n');
	const outcome = await read('postgresql.csv', csv);
	assert.deepEqual(counts(outcome.rows), {deadlock: 1, 'missing-relation': 1});
	assert.match(String(byClass(outcome.rows, 'deadlock')!.sample), /^2026-11-26 11:00:00\.123 UTC \[201\] ERROR:  deadlock detected DETAIL: Process 201 waits .*\\nProcess 202/);
	assert.equal(byClass(outcome.rows, 'missing-relation')!.last_seen, '2026-11-26T11:00:01.000Z');
	// Recognised without the .csv name too.
	assert.deepEqual(counts((await read('no-extension', csv)).rows), {deadlock: 1, 'missing-relation': 1});
});

test('jsonlog', async () => {
	const json = [
		JSON.stringify({timestamp: '2026-11-26 11:00:00.123 UTC', user: 'denokv', dbname: 'kv', pid: 301, error_severity: 'FATAL', state_code: '53300', message: 'remaining connection slots are reserved for roles with the SUPERUSER attribute'}),
		JSON.stringify({timestamp: '2026-11-26 11:00:01.000 UTC', pid: 302, error_severity: 'FATAL', state_code: '57P05', message: 'Verbindung wegen Zeitüberschreitung beendet'}),
		JSON.stringify({timestamp: '2026-11-26 11:00:02.000 UTC', pid: 303, error_severity: 'LOG', state_code: '00000', message: 'connection received'}),
		'{"broken json',
		'',
	].join('\n');
	const outcome = await read('postgresql.json', json);
	assert.deepEqual(counts(outcome.rows), {'too-many-clients': 1, 'idle-session-timeout': 1});
	assert.equal(byClass(outcome.rows, 'idle-session-timeout')!.cause, 'timeouts');
});
