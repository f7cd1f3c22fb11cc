import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import {startTestServer, type TestServer} from '../support/pg.ts';
import {runToJson, step} from './helpers.ts';

/* Every client slot taken: pg500 cannot connect either, and that is the diagnosis. */

let server: TestServer;
before(async () => {
	server = await startTestServer({max_connections: '5', superuser_reserved_connections: '1', reserved_connections: '0'});
});
after(() => server.stop());

test('every client slot taken: connect critical (too-many-clients), pool exhaustion first, exit 2', async () => {
	const db = await server.createDatabase({denokv: true});
	const held: pg.Client[] = [];
	try {
		for (;;) {
			const client = new pg.Client({connectionString: server.url(db)});
			client.on('error', () => {});
			try {
				await client.connect();
			} catch {
				break;
			}
			held.push(client);
		}
		assert.equal(held.length, 5);
		const {exitCode, report} = await runToJson(server.url(db));
		const connect = step(report, 'connect');
		assert.equal(connect.status, 'critical');
		assert.equal(connect.rows[0]!.failure, 'too-many-clients');
		assert.equal(connect.rows[0]!.sqlstate, '53300');
		assert.equal(report.causes[0]!.id, 'pool-exhaustion');
		assert.equal(exitCode, 2);
	} finally {
		await Promise.all(held.map(c => c.end()));
	}
});
