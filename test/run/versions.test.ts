import {test, before, after, describe} from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import {startTestServer, waitForLockWaits, type ServerMajor, type TestServer} from '../support/pg.ts';
import {runToJson, step} from './helpers.ts';
import {createExecutor} from '../../source/session/create-executor.ts';
import {loadRunbook} from '../../source/runbook/load.ts';
import {WatchSampler} from '../../source/watch/sampler.ts';

/* The SQL of the default runbook is chosen by server version (13–18). Each
 * of the oldest, a middle and the newest major version gets the same real
 * faults, and every check must run (no step in error) and see them. */

const majors: ServerMajor[] = [13, 17, 18];

for (const major of majors) {
	describe(`PostgreSQL ${major}`, () => {
		let server: TestServer;
		before(async () => {
			server = await startTestServer({}, major);
		});
		after(() => server.stop());

		test('a healthy denokv database: every check runs and is ok', async () => {
			const db = await server.createDatabase({denokv: true});
			const {report, exitCode} = await runToJson(server.url(db));
			assert.match(report.target.serverVersion ?? '', new RegExp(`^${major}\\.`));
			for (const id of ['connect', 'connections', 'locks', 'timeouts', 'schema', 'quick-check'])
				assert.equal(step(report, id).status, 'ok', `${id}: ${JSON.stringify(step(report, id).findings)}`);
			assert.equal(exitCode, 0);
		});

		test('a leak holding the data_version row, writers queued behind it, a low statement_timeout', async () => {
			const db = await server.createDatabase({denokv: true});
			await server.sql('postgres', `ALTER DATABASE ${db} SET statement_timeout = '300ms'`);
			const holder = await server.connect(db);
			const waiters: pg.Client[] = await Promise.all(Array.from({length: 5}, () => server.connect(db)));
			try {
				const holderPid: number = (await holder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
				await holder.query('BEGIN; UPDATE data_version SET version = version + 1 WHERE k = 0');
				// The waiters set their own timeout off: they must wait, not be cancelled by the database's 300 ms.
				const pending = waiters.map(w =>
					w.query("SET statement_timeout = 0; UPDATE data_version SET version = version + 1 WHERE k = 0 RETURNING version").catch(() => undefined),
				);
				await waitForLockWaits(server, db, 5, 1.2);
				const {report, exitCode} = await runToJson(server.url(db));
				for (const s of report.steps) assert.notEqual(s.status, 'error', `${s.id} failed on ${major}`);
				const locks = step(report, 'locks');
				assert.equal(locks.status, 'critical');
				assert.ok(locks.findings.some(f => f.message.includes(`Root blocker pid ${holderPid}`)), JSON.stringify(locks.findings));
				assert.ok(locks.findings.some(f => /writers queue on the data_version row/.test(f.message)));
				assert.ok(step(report, 'timeouts').findings.some(f => /statement_timeout = 300ms \(from the database setting\)/.test(f.message)));
				assert.equal(exitCode, 2);
				await holder.query('ROLLBACK');
				await Promise.all(pending);
			} finally {
				await server.sql('postgres', `ALTER DATABASE ${db} RESET statement_timeout`);
			}
		});

		test('the watch query: a leak idle in transaction, writers waiting on it for a second and more', async () => {
			const db = await server.createDatabase({denokv: true});
			const holder = await server.connect(db);
			const waiters: pg.Client[] = await Promise.all(Array.from({length: 3}, () => server.connect(db)));
			const executor = createExecutor({url: server.url(db), statementTimeout: 5000, logTailMb: 64, color: false}, {});
			const {thresholds} = await loadRunbook();
			const sampler = await WatchSampler.open({read: () => executor.readWatch!(thresholds)});
			try {
				await holder.query('BEGIN; UPDATE data_version SET version = version + 1 WHERE k = 0');
				const pending = waiters.map(w => w.query('UPDATE data_version SET version = version + 1 WHERE k = 0').catch(() => undefined));
				await waitForLockWaits(server, db, 3, 1.2);
				const first = await sampler.sample();
				await new Promise(resolve => setTimeout(resolve, 1000));
				const second = await sampler.sample();
				assert.equal(first.kind, 'sample', JSON.stringify(first));
				assert.equal(second.kind, 'sample', JSON.stringify(second));
				if (second.kind !== 'sample') return;
				const s = second.sample;
				assert.equal(s.lock_waiters, 3);
				// Aged from pg_locks.waitstart on 14+, from the statement's start on 13: a second and more either way.
				assert.ok(s.oldest_lock_wait_s >= 2, String(s.oldest_lock_wait_s));
				assert.equal(s.idle_in_tx, 1);
				assert.equal(s.deadlocks, 0);
				assert.ok(s.slots_usable > 0 && s.slots_used >= 5);
				await holder.query('ROLLBACK');
				await Promise.all(pending);
			} finally {
				await sampler.close();
				await executor.close();
			}
		});
	});
}
