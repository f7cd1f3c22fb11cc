import {test} from 'node:test';
import assert from 'node:assert/strict';
import {conninfoAddress, connectRow, parseConninfo} from '../../source/postgres/connect-row.ts';

/* What the connect step makes of the server's answer: the pooler in front,
 * and the primary's address out of a primary_conninfo that may hold a password. */

test('libpq keyword/value strings: quotes, escapes, spaces around =', () => {
	assert.deepEqual(
		[...parseConninfo(`host=db1 port = 5433 user='rep user' password='it\\'s \\\\ secret' application_name=s1`)!],
		[
			['host', 'db1'],
			['port', '5433'],
			['user', 'rep user'],
			['password', "it's \\ secret"],
			['application_name', 's1'],
		],
	);
	assert.equal(parseConninfo(`host='unterminated`), undefined);
	assert.equal(parseConninfo('host'), undefined);
	assert.deepEqual([...parseConninfo('')!], []);
});

test("the primary's address from primary_conninfo: host or hostaddr, the port or 5432, several hosts, a URI", () => {
	assert.equal(conninfoAddress(`host=10.0.0.5 port=5433 user=rep password='s3cret'`), '10.0.0.5:5433');
	assert.equal(conninfoAddress(`hostaddr=10.0.0.6 user=rep`), '10.0.0.6:5432');
	assert.equal(conninfoAddress(`host=a,b port=5432,5433`), 'a:5432, b:5433');
	assert.equal(conninfoAddress(`host=a,b port=6000`), 'a:6000, b:6000');
	assert.equal(conninfoAddress('postgresql://rep:s3cret@primary.internal:5434/postgres?sslmode=require'), 'primary.internal:5434');
	assert.equal(conninfoAddress('user=rep'), undefined);
	assert.equal(conninfoAddress(`host='broken`), undefined);
});

const standby = {backend_pid: 4242, in_recovery: true, primary_sender_host: null, primary_sender_port: null};
const here = {host: 'standby.internal', port: 5432, protocolPid: 4242};

test('a standby: the primary it streams from, else its primary_conninfo; the password never in the row', () => {
	const streaming = connectRow({...standby, primary_sender_host: '10.0.0.5', primary_sender_port: 5433, primary_conninfo: 'host=10.0.0.5 password=s3cret'}, here);
	assert.equal(streaming.primary, '10.0.0.5:5433');
	assert.match(String(streaming.primary_source), /pg_stat_wal_receiver/);
	// The primary is down: nothing streams, the setting still says where it should be.
	const configured = connectRow({...standby, primary_conninfo: `host=10.0.0.5 port=5433 password='s3cret'`}, here);
	assert.equal(configured.primary, '10.0.0.5:5433');
	assert.equal(configured.primary_source, 'primary_conninfo');
	for (const row of [streaming, configured]) {
		assert.doesNotMatch(JSON.stringify(row), /s3cret/);
		assert.ok(!('primary_conninfo' in row));
	}
	// A role that may not read primary_conninfo (pg_settings hides it) and cannot see the receiver.
	assert.equal(connectRow({...standby, primary_conninfo: null}, here).primary, null);
});

test('a primary is its own primary: the address pg500 reached it at', () => {
	const row = connectRow({backend_pid: 7, in_recovery: false, primary_conninfo: '', server_port: 5432}, {host: 'db.internal', port: 5432, protocolPid: 7});
	assert.deepEqual(row, {backend_pid: 7, in_recovery: false, primary: 'db.internal:5432'}, 'no pooler, no standby: nothing more');
});

test('PgBouncer: the pid the login announced is not the backend that answers', () => {
	const through = connectRow({backend_pid: 7, in_recovery: false, server_port: 5432}, {host: 'h', port: 6432, protocolPid: 1_234_567_890});
	assert.equal(through.pooler, 'pgbouncer');
	assert.equal(through.server_port, 5432);
	assert.equal(connectRow({backend_pid: 7, in_recovery: false}, {host: 'h', port: 5432, protocolPid: null}).pooler, undefined);
});
