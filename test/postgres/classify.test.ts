import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {createServer, type Server} from 'node:net';
import pg from 'pg';
import {startTestServer, freePort, type TestServer} from '../support/pg.ts';
import {SafeSession} from '../../source/postgres/session.ts';
import {classifyConnectError, failureRow, noAnswerCode, poolerOfFailure, type ConnectFailureKind} from '../../source/postgres/classify.ts';

/* Connection failures produced for real where a single machine can produce
 * them; the rest from the texts the server sends (denokv-postgres-facts.md). */

let server: TestServer;
const app = {user: 'app', password: 'app-pw'};
const limited = {user: 'limited', password: 'limited-pw'};

before(async () => {
	server = await startTestServer({max_connections: '6', superuser_reserved_connections: '2', reserved_connections: '0'});
	await server.sql('postgres', `CREATE ROLE app LOGIN PASSWORD 'app-pw'; CREATE ROLE limited LOGIN PASSWORD 'limited-pw' CONNECTION LIMIT 1`);
});
after(() => server.stop());

/** Connects and returns the classified failure (or fails the test if the connection succeeds). */
async function failureOf(config: pg.ClientConfig): Promise<ReturnType<typeof classifyConnectError>> {
	const client = new pg.Client({connectionTimeoutMillis: 3000, ...config});
	client.on('error', () => {});
	try {
		await client.connect();
	} catch (error) {
		return classifyConnectError(error);
	}
	await client.end();
	assert.fail('the connection succeeded');
}

async function holding(count: number, database: string, who: {user: string; password: string}): Promise<pg.Client[]> {
	const clients: pg.Client[] = [];
	for (let i = 0; i < count; i++) {
		const client = new pg.Client({connectionString: server.url(database, who)});
		client.on('error', () => {});
		await client.connect();
		clients.push(client);
	}
	return clients;
}

const endAll = (clients: pg.Client[]) => Promise.all(clients.map(c => c.end()));

test('wrong password → auth-failed (28P01)', async () => {
	const f = await failureOf({connectionString: server.url('postgres', {user: 'app', password: 'wrong'})});
	assert.equal(f.failure, 'auth-failed');
	assert.equal(f.sqlstate, '28P01');
});

test('missing database → database-missing (3D000)', async () => {
	const f = await failureOf({connectionString: server.url('no_such_db')});
	assert.equal(f.failure, 'database-missing');
	assert.equal(f.sqlstate, '3D000');
});

test('role CONNECTION LIMIT reached → role-limit (53300)', async () => {
	const held = await holding(1, 'postgres', limited);
	try {
		const f = await failureOf({connectionString: server.url('postgres', limited)});
		assert.equal(f.failure, 'role-limit');
		assert.equal(f.sqlstate, '53300');
	} finally {
		await endAll(held);
	}
});

test('database CONNECTION LIMIT reached → database-limit (53300)', async () => {
	await server.sql('postgres', 'CREATE DATABASE small_db CONNECTION LIMIT 1');
	const held = await holding(1, 'small_db', app);
	try {
		const f = await failureOf({connectionString: server.url('small_db', app)});
		assert.equal(f.failure, 'database-limit');
	} finally {
		await endAll(held);
	}
});

test('only reserved slots left → reserved-slots; every slot taken → too-many-clients', async () => {
	// 6 slots, 2 reserved for superusers: ordinary roles get 4.
	const ordinary = await holding(4, 'postgres', app);
	try {
		const reserved = await failureOf({connectionString: server.url('postgres', app)});
		assert.equal(reserved.failure, 'reserved-slots');
		assert.equal(reserved.sqlstate, '53300');
		const superusers = await holding(2, 'postgres', {user: 'postgres', password: 'test-secret-pw'});
		try {
			const full = await failureOf({connectionString: server.url('postgres')});
			assert.equal(full.failure, 'too-many-clients');
			assert.match(full.message, /too many clients/);
		} finally {
			await endAll(superusers);
		}
	} finally {
		await endAll(ordinary);
	}
});

test('a start-up option without -c (the old denokv bug) → startup-option', async () => {
	const f = await failureOf({connectionString: server.url('postgres'), options: 'statement_timeout=5000'});
	assert.equal(f.failure, 'startup-option');
});

test('nothing listening on the port → refused', async () => {
	const f = await failureOf({host: '127.0.0.1', port: await freePort(), user: 'x', database: 'x', password: 'x'});
	assert.equal(f.failure, 'refused');
	assert.equal(f.sqlstate, null);
});

test('a port that accepts but never answers → timeout', async () => {
	const silent: Server = createServer(() => {});
	await new Promise<void>(resolve => silent.listen(0, '127.0.0.1', resolve));
	try {
		const {port} = silent.address() as {port: number};
		const f = await failureOf({host: '127.0.0.1', port, user: 'x', database: 'x', password: 'x', connectionTimeoutMillis: 500});
		assert.equal(f.failure, 'timeout');
	} finally {
		silent.close();
	}
});

test("through pg500's session, a port that accepts but never answers is a stalled login: the network path is open", async () => {
	const silent: Server = createServer(() => {});
	await new Promise<void>(resolve => silent.listen(0, '127.0.0.1', resolve));
	const {port} = silent.address() as {port: number};
	const session = new SafeSession({host: '127.0.0.1', port, user: 'x', database: 'x', password: 'x', connectionTimeoutMillis: 500}, {statementMs: 1000, lockMs: 200});
	try {
		assert.equal((await session.ensureConnected())?.failure, 'login-timeout');
		assert.equal(session.pooler, null);
	} finally {
		silent.close();
	}
});

/** Errors as the server or the OS sends them, for the situations a test cannot create here. */
const texts: [ConnectFailureKind, {code?: string; message: string; detail?: string}][] = [
	['starting-up', {code: '57P03', message: 'the database system is starting up'}],
	['shutting-down', {code: '57P03', message: 'the database system is shutting down'}],
	['recovery', {code: '57P03', message: 'the database system is in recovery mode'}],
	['recovery', {code: '57P03', message: 'the database system is not yet accepting connections'}],
	['reserved-slots', {code: '53300', message: 'remaining connection slots are reserved for non-replication superuser connections'}],
	['reserved-slots', {code: '53300', message: 'remaining connection slots are reserved for roles with privileges of the "pg_use_reserved_connections" role'}],
	['no-hba-entry', {code: '28000', message: 'no pg_hba.conf entry for host "10.0.0.5", user "app", database "kv", SSL encryption'}],
	['ssl-required', {code: '28000', message: 'no pg_hba.conf entry for host "10.0.0.5", user "app", database "kv", no encryption'}],
	['ssl-required', {message: 'SSL connection is required'}],
	['admin-terminated', {code: '57P01', message: 'terminating connection due to administrator command'}],
	['crashed', {code: '57P02', message: 'terminating connection because of crash of another server process'}],
	['dns', {code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND db.internal'}],
	['dns', {code: 'EAI_AGAIN', message: 'getaddrinfo EAI_AGAIN db.internal'}],
	['timeout', {code: 'ETIMEDOUT', message: 'connect ETIMEDOUT 10.0.0.5:5432'}],
	['refused', {code: 'ENOENT', message: 'connect ENOENT /var/run/postgresql/.s.PGSQL.5432'}],
	['other', {code: '53100', message: 'could not extend file: No space left on device'}],
	// A standby with hot_standby = off says so only in the DETAIL.
	['hot-standby-off', {code: '57P03', message: 'the database system is not accepting connections', detail: 'Hot standby mode is disabled.'}],
	// PgBouncer's own refusals, all 08P01 (its source: disconnect_client()).
	['pooler-full', {code: '08P01', message: 'no more connections allowed (max_client_conn)'}],
	['pooler-wait', {code: '08P01', message: 'query_wait_timeout'}],
	['pooler-server-login', {code: '08P01', message: 'server login has been failing, try again later (server_login_retry)'}],
	['pooler-server-login', {code: '08P01', message: 'client_login_timeout (server down)'}],
	['pooler-config', {code: '08P01', message: 'no such database: denokv'}],
	['no-answer', {code: noAnswerCode, message: 'no answer within 10 s (pg500 gave the connection up)'}],
];

test('message texts of the failures a single machine cannot produce', () => {
	for (const [expected, error] of texts)
		assert.equal(classifyConnectError(Object.assign(new Error(error.message), error)).failure, expected, error.message);
	const dualStack = new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:5432'), {code: 'ECONNREFUSED'})], '');
	assert.equal(classifyConnectError(dualStack).failure, 'refused');
	assert.equal(classifyConnectError(dualStack).message, 'connect ECONNREFUSED ::1:5432');
});

test('a timeout once the socket was open is a stalled login, not a firewall', () => {
	const timedOut = new Error('timeout expired');
	assert.equal(classifyConnectError(timedOut, 'tcp').failure, 'timeout');
	assert.equal(classifyConnectError(timedOut, 'login').failure, 'login-timeout');
});

test("only PgBouncer's own refusals name it as the pooler; the row carries 57P03's DETAIL", () => {
	const refusal = classifyConnectError(Object.assign(new Error('query_wait_timeout'), {code: '08P01'}));
	assert.equal(poolerOfFailure(refusal), 'pgbouncer');
	assert.equal(poolerOfFailure(classifyConnectError(Object.assign(new Error('no answer'), {code: noAnswerCode}))), null);
	const standby = classifyConnectError(
		Object.assign(new Error('the database system is not accepting connections'), {code: '57P03', detail: 'Hot standby mode is disabled.'}),
	);
	assert.equal(failureRow(standby).message, 'the database system is not accepting connections (DETAIL: Hot standby mode is disabled.)');
});
