import type pg from 'pg';
import type {DefaultCause} from '../runbook/default-causes.ts';
import {waitFor, type DrillSessions} from './sessions.ts';
import {failedWrites, spread, startUp, type LogEvent} from './server-log.ts';

/* The drills. Each one makes its fault for real on the embedded server —
 * sessions the drill keeps open, settings, dropped objects, a stopped server —
 * so what the tool shows is what it would show in an outage. Only the denokv
 * server's log is written by the drill (there is no denokv server), with the
 * lines the real server prints for that fault. */

/** What a trainee should name for each drill (the runbook's cause ids, plus two that are no database cause). */
export type DrillCause = DefaultCause | 'server-bug' | 'none';

/** The role the denokv server connects as, and the role the on-call engineer uses (pg_monitor, not superuser). */
export const appRole = 'denokv';
export const oncallRole = 'oncall';

export interface FaultContext {
	database: string;
	/** Sessions as the application; kept open until the drill ends. */
	sessions: DrillSessions;
	/** SQL as the superuser on the drill's database, with a short-lived session. */
	admin(sql: string, values?: unknown[]): Promise<pg.QueryResult>;
	/** Stops PostgreSQL (the server-down drill). */
	stopServer(): Promise<void>;
	/** The default runbook's thresholds: a drill's fault is in place once it is anomalous by them. */
	thresholds: Record<string, number>;
}

export interface Scenario {
	id: string;
	/** One line for --list. */
	summary: string;
	cause: DrillCause;
	/** The runbook steps where the fault shows: a trainee who skips them misses it. */
	keySteps: string[];
	/** Server settings the fault needs; such a drill gets a server of its own. */
	settings?: Record<string, string>;
	/** Stops the server: a drill of its own, too. */
	stopsServer?: boolean;
	/** For drills whose fix pg500 can apply: how to act and watch it clear (shown in the fix view). */
	practice?: string;
	inject(ctx: FaultContext): Promise<void>;
	serverLog(): LogEvent[];
}

const key = (n: number) => `key-${n}`;
const byKey = 'convert_to($1, \'UTF8\')';
const touchRow = `UPDATE kv_store SET value = value, updated_at = now() WHERE key = ${byKey}`;
const bumpVersion = 'UPDATE data_version SET version = version + 1 WHERE k = 0 RETURNING version';

async function countActivity(ctx: FaultContext, where: string): Promise<number> {
	const r = await ctx.admin(
		`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND usename = '${appRole}' AND ${where}`,
	);
	return r.rows[0].n as number;
}

/** A pool's worth of ordinary idle sessions: what a healthy server looks like. */
async function idlePool(ctx: FaultContext, size: number): Promise<void> {
	for (let i = 0; i < size; i++) await (await ctx.sessions.open(appRole)).query('SELECT 1');
}

/** A request that read a key inside a transaction and never finished it. */
async function leakTransaction(ctx: FaultContext, n: number): Promise<void> {
	const client = await ctx.sessions.open(appRole);
	await client.query('BEGIN');
	await client.query(`SELECT value FROM kv_store WHERE key = ${byKey}`, [key(n)]);
}

/** Client slots still free for ordinary roles (the background load already holds some). */
async function freeSlots(ctx: FaultContext): Promise<number> {
	const r = await ctx.admin(
		`SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int
			- coalesce(current_setting('reserved_connections', true)::int, 0)
			- (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend') AS n`,
	);
	return r.rows[0].n as number;
}

async function deadlockStat(ctx: FaultContext): Promise<number> {
	const r = await ctx.admin('SELECT deadlocks::int AS n FROM pg_stat_database WHERE datname = current_database()');
	return r.rows[0].n as number;
}

/** Two writers take the same two rows in opposite order: PostgreSQL kills one of them (40P01). */
async function deadlockOnce(a: pg.Client, b: pg.Client): Promise<void> {
	await a.query('BEGIN');
	await b.query('BEGIN');
	await a.query(touchRow, [key(1)]);
	await b.query(touchRow, [key(2)]);
	await Promise.allSettled([a.query(touchRow, [key(2)]), b.query(touchRow, [key(1)])]);
	await Promise.allSettled([a.query('ROLLBACK'), b.query('ROLLBACK')]);
	// Backends flush their statistics lazily (up to 10 s later); the counter should rise now.
	await Promise.allSettled([a.query('SELECT pg_stat_force_next_flush()'), b.query('SELECT pg_stat_force_next_flush()')]);
}

const serializationBug =
	'error serializing parameter 3: cannot convert between the Rust type `alloc::vec::Vec<alloc::vec::Vec<u8>>` and the Postgres type `_bytea`';
const refused =
	'Connection failed: Failed to get connection: Error occurred while creating a new object: error connecting to server: Connection refused (os error 111)';
const slotsReserved =
	'Connection failed: Failed to get connection: Error occurred while creating a new object: db error: FATAL: remaining connection slots are reserved for roles with the SUPERUSER attribute';

const smallServer = {max_connections: '20'};

export const scenarios: readonly Scenario[] = [
	{
		id: 'healthy',
		summary: 'nothing wrong: a seeded denokv database and an idle pool (learn what normal looks like)',
		cause: 'none',
		keySteps: [],
		inject: ctx => idlePool(ctx, 3),
		serverLog: () => startUp(45),
	},
	{
		id: 'connection-leak',
		summary: 'requests leave transactions open: sessions idle in transaction, more every few seconds',
		cause: 'pool-exhaustion',
		keySteps: ['connections', 'timeouts'],
		practice:
			'Act and verify: 1 ends the sessions idle in transaction that the check found — read the SQL and what each one touches, type yes and Enter. pg500 looks again: idle in transaction N → 0. The application goes on leaking until it is fixed: w shows the leaks grow again (the report’s charts mark the action), and v later judges it.',
		async inject(ctx) {
			for (let n = 1; n <= 6; n++) await leakTransaction(ctx, n);
			// Growing for minutes, so the watch (`w`) shows it climb while the trainee looks.
			let next = 7;
			ctx.sessions.every(8000, async () => {
				if (next <= 24) await leakTransaction(ctx, next++);
			});
			// A leak of a few seconds looks like any transaction between two statements: wait until it is old.
			const {idle_tx_warning_seconds: seconds = 10, idle_tx_critical_count: count = 5} = ctx.thresholds;
			await waitFor(
				`${count} sessions idle in transaction for ${seconds} s`,
				async () => (await countActivity(ctx, `state = 'idle in transaction' AND now() - state_change > make_interval(secs => ${seconds + 0.5})`)) >= count,
				(seconds + 5) * 1000,
			);
		},
		// Exhaustion hangs requests rather than failing them: the server's log stays quiet.
		serverLog: () => startUp(45),
	},
	{
		id: 'slots-nearly-full',
		summary: 'client slots nearly used up (max_connections 20): new connections will soon be refused',
		cause: 'pool-exhaustion',
		keySteps: ['connections'],
		settings: smallServer,
		async inject(ctx) {
			// The admin session that counts is gone by the time the pool opens: one slot more than counted.
			const keep = (await freeSlots(ctx)) + 1 - 3;
			await idlePool(ctx, keep);
		},
		serverLog: () => startUp(45),
	},
	{
		id: 'slots-full',
		summary: 'every client slot taken (max_connections 20): new connections are refused',
		cause: 'pool-exhaustion',
		keySteps: ['connect', 'server-logs'],
		settings: smallServer,
		practice:
			'Every slot is taken, pg500 included. In the fix view press u and reconnect as postgres (a superuser; no password in a drill) through the reserved slots; then end the idle sessions holding the slots. pg500 goes back to the on-call role once it is let in again: cleared.',
		async inject(ctx) {
			const limit = (await freeSlots(ctx)) + 1;
			// Open sessions until PostgreSQL refuses one (53300): background workers may hold slots too.
			for (let i = 0; i < limit + 5; i++) {
				try {
					await ctx.sessions.open(appRole);
				} catch (error) {
					if ((error as {code?: string}).code === '53300') return;
					throw error;
				}
			}
			throw new Error('the drill could not fill the client slots');
		},
		serverLog: () => [...startUp(45), ...spread(30, 8, true).map(m => ({minutesAgo: m, level: 'ERROR' as const, target: 'denokv', message: slotsReserved}))],
	},
	{
		id: 'lock-chain',
		summary: 'one writer holds the data_version row lock in an open transaction; every other writer waits on it',
		cause: 'deadlocks',
		keySteps: ['locks'],
		practice:
			'Act and verify: 1 ends the root blocker — read the SQL and what it touches, type yes and Enter. pg500 looks again: its waiters go on, waiting N → 0, cleared.',
		async inject(ctx) {
			const holder = await ctx.sessions.open(appRole);
			await holder.query('BEGIN');
			await holder.query(bumpVersion);
			for (let i = 0; i < 6; i++) {
				// A denokv write: it commits as soon as it gets the row, so the chain clears once its root ends.
				const waiter = await ctx.sessions.open(appRole);
				ctx.sessions.leaveRunning(waiter, `BEGIN; ${bumpVersion}; COMMIT`);
			}
			// Waits of some milliseconds are normal under load: wait until three have lasted.
			const {lock_wait_warning_seconds: seconds = 1, lock_root_waiters_critical_count: count = 3} = ctx.thresholds;
			await waitFor(
				`${count} writers waiting ${seconds} s on data_version`,
				async () => {
					const r = await ctx.admin(`SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND now() - waitstart > make_interval(secs => ${seconds + 0.3})`);
					return (r.rows[0].n as number) >= count;
				},
				(seconds + 8) * 1000,
			);
		},
		// Writers hang on the lock rather than fail: the server's log stays quiet.
		serverLog: () => startUp(45),
	},
	{
		id: 'deadlock',
		summary: 'writers update the same keys in opposite order: PostgreSQL aborts one of each pair (40P01), again and again',
		cause: 'deadlocks',
		keySteps: ['server-logs', 'postgres-logs', 'locks'],
		async inject(ctx) {
			const before = await deadlockStat(ctx);
			const a = await ctx.sessions.open(appRole);
			const b = await ctx.sessions.open(appRole);
			for (let i = 0; i < 3; i++) await deadlockOnce(a, b);
			await waitFor('the deadlock counter rising', async () => (await deadlockStat(ctx)) >= before + 3);
			ctx.sessions.every(3000, () => deadlockOnce(a, b));
		},
		serverLog: () => [...startUp(45), ...failedWrites(spread(14, 10, true), 'db error: ERROR: deadlock detected')],
	},
	{
		id: 'timeouts',
		summary: "statement_timeout of 200 ms on the database cancels writes (57014); idle transactions are never ended",
		cause: 'timeouts',
		keySteps: ['timeouts', 'server-logs', 'postgres-logs'],
		practice:
			'Act and verify: each action offered has its digit; the database-level statement_timeout first, then the idle transactions\' timeout. Each yes is followed by a look: cleared only once both are fixed.',
		async inject(ctx) {
			await ctx.admin(`ALTER DATABASE "${ctx.database}" SET statement_timeout = '200ms'`);
			await ctx.admin(`ALTER DATABASE "${ctx.database}" SET idle_in_transaction_session_timeout = 0`);
			for (let n = 1; n <= 2; n++) await leakTransaction(ctx, n);
			const slow = await ctx.sessions.open(appRole);
			// Real cancellations, so PostgreSQL's own log has them too.
			const cancelled = () => slow.query('SELECT pg_sleep(0.5)').then(() => {}, () => {});
			for (let i = 0; i < 3; i++) await cancelled();
			ctx.sessions.every(5000, cancelled);
		},
		serverLog: () => [
			...startUp(45),
			...failedWrites(spread(16, 10, true), 'db error: ERROR: canceling statement due to statement timeout'),
		],
	},
	{
		id: 'schema-drift',
		summary: 'the schema drifted: idx_kv_versionstamp and queue_running dropped, the data_version row deleted',
		cause: 'schema',
		keySteps: ['schema', 'server-logs'],
		async inject(ctx) {
			await ctx.admin('DROP INDEX idx_kv_versionstamp');
			await ctx.admin('DELETE FROM data_version');
			await ctx.admin('DROP TABLE queue_running');
			// The server's queue clean-up fails for real (42P01 in PostgreSQL's log).
			const app = await ctx.sessions.open(appRole);
			await app.query('SELECT message_id FROM queue_running').catch(() => {});
		},
		serverLog: () => [
			...startUp(45),
			...spread(10, 10).map(m => ({
				minutesAgo: m,
				level: 'ERROR' as const,
				target: 'denokv_postgres',
				message: '[denokv/postgres] queue_cleanup error: db error: ERROR: relation "queue_running" does not exist',
			})),
			...failedWrites(spread(8, 10, true), 'query returned an unexpected number of rows'),
		],
	},
	{
		id: 'server-down',
		summary: 'PostgreSQL stopped under the running server: connections are refused',
		cause: 'connection-failure',
		keySteps: ['connect', 'server-logs'],
		stopsServer: true,
		async inject(ctx) {
			await idlePool(ctx, 3);
			await ctx.stopServer();
		},
		serverLog: () => [
			...startUp(45),
			...[6, 6, 6].map(m => ({minutesAgo: m, level: 'WARN' as const, target: 'deadpool.postgres', message: 'Connection could not be recycled: Connection closed'})),
			...spread(40, 6, true).map(m => ({minutesAgo: m, level: 'ERROR' as const, target: 'denokv', message: refused})),
		],
	},
	{
		id: 'enqueue-bug',
		summary: 'the database is fine; every write that enqueues fails inside the denokv server (_bytea bug)',
		cause: 'server-bug',
		keySteps: ['server-logs', 'code-review'],
		inject: ctx => idlePool(ctx, 3),
		serverLog: () => [...startUp(45), ...failedWrites(spread(24, 15), serializationBug)],
	},
	{
		id: 'read-only',
		summary: "the application's role is read-only by default in this database: every write of a new connection fails (25006)",
		cause: 'read-only-target',
		keySteps: ['timeouts', 'server-logs', 'postgres-logs'],
		async inject(ctx) {
			await ctx.admin(`ALTER ROLE ${appRole} IN DATABASE "${ctx.database}" SET default_transaction_read_only = on`);
			// The pool's new connections get it: their writes fail for real (25006 in PostgreSQL's log).
			const fresh = await ctx.sessions.open(appRole);
			const write = () => fresh.query(bumpVersion).then(() => {}, () => {});
			for (let i = 0; i < 3; i++) await write();
			ctx.sessions.every(5000, write);
		},
		serverLog: () => [...startUp(45), ...failedWrites(spread(20, 10, true), 'db error: ERROR: cannot execute UPDATE in a read-only transaction')],
	},
];

export function findScenario(id: string): Scenario | undefined {
	return scenarios.find(s => s.id === id);
}
