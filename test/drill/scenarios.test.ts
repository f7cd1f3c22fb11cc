import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {readFile} from 'node:fs/promises';
import pg from 'pg';
import {startEmbeddedPostgres, type EmbeddedServer} from '../../source/drill/embedded.ts';
import {prepareScenario, type PreparedScenario} from '../../source/drill/drill.ts';
import {findScenario, oncallRole} from '../../source/drill/scenarios.ts';
import {revealQuiz} from '../../source/drill/quiz.ts';
import {headless, look, statusOf, type JsonReport} from './helpers.ts';

/* Each drill makes its fault for real (checked from another session), and
 * `pg500 run` on it reaches the diagnosis the drill is meant to teach.
 * One server for the drills that only touch their own database; the ones
 * that need a small max_connections, or stop the server, get their own. */

let shared: EmbeddedServer;
let small: EmbeddedServer;
let doomed: EmbeddedServer;

before(async () => {
	[shared, small, doomed] = await Promise.all([
		startEmbeddedPostgres(),
		startEmbeddedPostgres({settings: findScenario('slots-full')!.settings}),
		startEmbeddedPostgres(),
	]);
});

after(async () => {
	await Promise.allSettled([shared?.dispose(), small?.dispose(), doomed?.dispose()]);
});

async function prepare(server: EmbeddedServer, id: string): Promise<PreparedScenario> {
	const database = id.replaceAll('-', '_');
	return prepareScenario(server, findScenario(id)!, {database, logName: `${database}.log`});
}

const topCause = (report: JsonReport) => report.causes[0]!;
const n = (rows: Record<string, unknown>[]) => Number(rows[0]!.n);

async function connectAsOncall(drill: PreparedScenario): Promise<void> {
	const client = new pg.Client({connectionString: drill.targetUrl});
	client.on('error', () => {});
	await client.connect();
	await client.end();
}

test('healthy: a seeded database and an idle pool; the run finds nothing', async () => {
	const drill = await prepare(shared, 'healthy');
	try {
		assert.equal(n(await look(shared, drill.database, 'SELECT count(*) AS n FROM kv_store')), 200);
		// The idle pool, beside the background write load's ten clients.
		assert.ok(n(await look(shared, drill.database, "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND usename = 'denokv'")) >= 13);
		assert.ok(n(await look(shared, drill.database, 'SELECT version AS n FROM data_version')) > 0, 'the write load commits');
		const {report, exitCode} = await headless(shared, drill);
		assert.equal(report.verdict, 'ok');
		assert.equal(exitCode, 0);
		assert.deepEqual(report.causes.map(c => c.likelihood), Array(7).fill('unlikely'));
		// No fix is recommended, and the report says where to look instead, with this target's host and port.
		const {fix, elsewhere} = report as unknown as {fix: unknown; elsewhere: string};
		assert.equal(fix, null);
		assert.match(elsewhere, new RegExp(`^PostgreSQL looks healthy from here: .*the denokv server .*pg_isready -h 127\\.0\\.0\\.1 -p ${new URL(drill.targetUrl).port} from the denokv host`));
	} finally {
		await drill.release();
	}
});

test('connection-leak: sessions idle in transaction, more over time; pool exhaustion (or timeouts) on top', async () => {
	const drill = await prepare(shared, 'connection-leak');
	try {
		// The write load's own transactions are idle in transaction for a moment between statements: a leak is one that stays.
		const leaked = "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND usename = 'denokv' AND state = 'idle in transaction' AND now() - state_change > interval '1 s'";
		const first = n(await look(shared, drill.database, leaked));
		assert.ok(first >= 6, `${first} leaked`);
		const {report} = await headless(shared, drill);
		assert.ok(['pool-exhaustion', 'timeouts'].includes(topCause(report).id), topCause(report).id);
		assert.equal(statusOf(report, 'connections'), 'critical');
		// The leak grows by one every 8 s while the drill lasts.
		let now = first;
		for (let i = 0; i < 120 && now <= first; i++) {
			await new Promise(resolve => setTimeout(resolve, 100));
			now = n(await look(shared, drill.database, leaked));
		}
		assert.ok(now > first, `still ${now}`);
	} finally {
		await drill.release();
	}
	assert.equal(n(await look(shared, 'connection_leak', "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND usename = 'denokv'")), 0, 'released');
});

test('slots-nearly-full: most client slots in use, the on-call role still gets in; a warning', async () => {
	const drill = await prepare(small, 'slots-nearly-full');
	try {
		const [row] = await look(
			small,
			drill.database,
			"SELECT count(*) FILTER (WHERE backend_type = 'client backend') AS used, current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int AS available FROM pg_stat_activity",
		);
		const share = Number(row!.used) / Number(row!.available);
		assert.ok(share >= 0.8 && share < 0.95, `${row!.used} of ${row!.available}`);
		await connectAsOncall(drill);
		const {report} = await headless(small, drill);
		assert.equal(topCause(report).id, 'pool-exhaustion');
		assert.equal(statusOf(report, 'connections'), 'warning');
		assert.equal(report.verdict, 'warning');
	} finally {
		await drill.release();
	}
});

test('slots-full: the on-call role is refused (53300); pool exhaustion, connect critical', async () => {
	const drill = await prepare(small, 'slots-full');
	try {
		await assert.rejects(connectAsOncall(drill), (error: {code?: string}) => error.code === '53300');
		const {report, exitCode} = await headless(small, drill);
		assert.equal(topCause(report).id, 'pool-exhaustion');
		assert.equal(statusOf(report, 'connect'), 'critical');
		assert.equal(exitCode, 2);
	} finally {
		await drill.release();
	}
});

test('lock-chain: one idle transaction holds the data_version row, six writers wait on it; deadlocks, locks critical', async () => {
	const drill = await prepare(shared, 'lock-chain');
	try {
		const [row] = await look(
			shared,
			drill.database,
			`SELECT count(*) FILTER (WHERE wait_event_type = 'Lock' AND query LIKE '%UPDATE data_version%') AS waiting,
				count(*) FILTER (WHERE state = 'idle in transaction' AND query LIKE 'UPDATE data_version%') AS holding,
				count(*) FILTER (WHERE cardinality(pg_blocking_pids(pid)) > 0) AS blocked
			FROM pg_stat_activity WHERE datname = current_database()`,
		);
		// The drill's six writers and the background load's, all queued behind the one holder.
		assert.equal(Number(row!.holding), 1);
		assert.ok(Number(row!.waiting) >= 6 && Number(row!.blocked) === Number(row!.waiting), JSON.stringify(row));
		const {report, state} = await headless(shared, drill);
		assert.equal(topCause(report).id, 'deadlocks');
		assert.equal(statusOf(report, 'locks'), 'critical');
		// The quiz judged on this real run.
		const reveal = revealQuiz(findScenario('lock-chain')!, state, 'deadlocks');
		assert.equal(reveal.correct, true);
		assert.ok(reveal.evidence.some(e => e.startsWith('locks: ')), reveal.evidence.join('\n'));
	} finally {
		await drill.release();
	}
});

test('deadlock: real deadlocks, the counter rises and PostgreSQL logs 40P01; deadlocks on top', async () => {
	const drill = await prepare(shared, 'deadlock');
	try {
		const counter = 'SELECT deadlocks AS n FROM pg_stat_database WHERE datname = current_database()';
		const first = n(await look(shared, drill.database, counter));
		assert.ok(first >= 3, `${first} deadlocks`);
		assert.match(await readFile(shared.pgLogPath, 'utf8'), /ERROR: {2}deadlock detected/);
		const {report} = await headless(shared, drill);
		assert.equal(topCause(report).id, 'deadlocks');
		assert.equal(statusOf(report, 'server-logs'), 'critical');
		// The drill keeps deadlocking every 3 s.
		let now = first;
		for (let i = 0; i < 100 && now <= first; i++) {
			await new Promise(resolve => setTimeout(resolve, 100));
			now = n(await look(shared, drill.database, counter));
		}
		assert.ok(now > first, `still ${now}`);
	} finally {
		await drill.release();
	}
});

test('timeouts: a 200 ms statement_timeout on the database cancels statements (57014); timeouts on top', async () => {
	const drill = await prepare(shared, 'timeouts');
	try {
		const settings = await look(
			shared,
			drill.database,
			'SELECT unnest(setconfig) AS setting FROM pg_db_role_setting WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())',
		);
		assert.deepEqual(settings.map(r => r.setting).sort(), ['idle_in_transaction_session_timeout=0', 'statement_timeout=200ms']);
		assert.equal(n(await look(shared, drill.database, "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction' AND query LIKE 'SELECT value FROM kv_store%'")), 2);
		assert.match(await readFile(shared.pgLogPath, 'utf8'), /canceling statement due to statement timeout/);
		const {report} = await headless(shared, drill);
		assert.equal(topCause(report).id, 'timeouts');
		assert.equal(statusOf(report, 'timeouts'), 'critical');
	} finally {
		await drill.release();
	}
});

test('schema-drift: index, table and data_version row gone; schema on top, schema critical', async () => {
	const drill = await prepare(shared, 'schema-drift');
	try {
		const [row] = await look(
			shared,
			drill.database,
			"SELECT to_regclass('idx_kv_versionstamp') AS idx, to_regclass('queue_running') AS tbl, (SELECT count(*) FROM data_version) AS versions",
		);
		assert.deepEqual({...row, versions: Number(row!.versions)}, {idx: null, tbl: null, versions: 0});
		const {report} = await headless(shared, drill);
		assert.equal(topCause(report).id, 'schema');
		assert.equal(statusOf(report, 'schema'), 'critical');
	} finally {
		await drill.release();
	}
});

test('server-down: PostgreSQL stopped, connections refused; connection failure on top', async () => {
	const drill = await prepare(doomed, 'server-down');
	try {
		await assert.rejects(connectAsOncall(drill), (error: {code?: string}) => error.code === 'ECONNREFUSED');
		assert.match(await readFile(doomed.pgLogPath, 'utf8'), /database system is shut down/);
		const {report, exitCode} = await headless(doomed, drill);
		assert.equal(topCause(report).id, 'connection-failure');
		assert.equal(statusOf(report, 'connect'), 'critical');
		assert.equal(exitCode, 2);
	} finally {
		await drill.release();
	}
});

test('enqueue-bug: a healthy database, a server log full of the _bytea bug; the run branches to the server-bug fix', async () => {
	const drill = await prepare(shared, 'enqueue-bug');
	try {
		assert.equal(n(await look(shared, drill.database, 'SELECT count(*) AS n FROM data_version')), 1);
		assert.match(await readFile(drill.serverLogPath, 'utf8'), /the Postgres type `_bytea`/);
		const {report, state} = await headless(shared, drill);
		assert.equal(report.verdict, 'critical');
		assert.equal(state.chosenFix?.id, 'enqueue-bug');
		assert.equal(statusOf(report, 'server-logs'), 'critical');
	} finally {
		await drill.release();
	}
});

test('read-only: the application role is read-only by default, its new writes fail with 25006; read-only-target on top, no restart advised', async () => {
	const drill = await prepare(shared, 'read-only');
	try {
		const {report} = await headless(shared, drill);
		assert.equal(topCause(report).id, 'read-only-target', JSON.stringify(report.causes.slice(0, 2)));
		assert.equal(statusOf(report, 'timeouts'), 'critical');
		assert.match(JSON.stringify(report.fix), /RESET default_transaction_read_only/);
		assert.doesNotMatch(JSON.stringify(report.fix), /restart(ing)? denokv/i);
	} finally {
		await drill.release();
	}
});

test('the target the tool gets is the on-call role, with no password in it', () => {
	const url = new URL(shared.url('denokv', oncallRole));
	assert.equal(url.username, oncallRole);
	assert.equal(url.password, '');
});
