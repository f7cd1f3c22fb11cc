import {test} from 'node:test';
import assert from 'node:assert/strict';
import {mkdtemp, writeFile, chmod} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {resolveTarget} from '../../source/postgres/target.ts';
import {findPgpassPassword, lookupPgpass, parsePgpassLine} from '../../source/postgres/pgpass.ts';
import {UsageError} from '../../source/errors.ts';

const secret = 's3cr3t-PW';

test('--url wins over DATABASE_URL and PG* variables; the target carries no password', () => {
	const {info, config} = resolveTarget(`postgres://app:${secret}@db.example:6432/kv?sslmode=disable`, {
		DATABASE_URL: 'postgres://other@elsewhere/x',
		PGHOST: 'pghost',
		PGUSER: 'pguser',
	});
	assert.deepEqual(info, {host: 'db.example', port: 6432, database: 'kv', user: 'app', serverVersion: null});
	assert.equal(JSON.stringify(info).includes(secret), false);
	assert.equal(config.password, secret);
	assert.equal(config.application_name, 'pg500');
	assert.equal(config.ssl, false);
	assert.equal(config.connectionTimeoutMillis, 5000);
});

test('DATABASE_URL is used when there is no --url; fields it leaves out come from PG*', () => {
	const {info} = resolveTarget(undefined, {DATABASE_URL: 'postgresql://app@dbhost/kv', PGPORT: '5544'});
	assert.deepEqual(info, {host: 'dbhost', port: 5544, database: 'kv', user: 'app', serverVersion: null});
});

test('PG* variables alone: host, port, user, database (defaulting to the user), password, timeout', () => {
	const {info, config} = resolveTarget(undefined, {PGHOST: 'h', PGPORT: '5433', PGUSER: 'u', PGPASSWORD: secret, PGCONNECT_TIMEOUT: '9', PGAPPNAME: 'denokv'});
	assert.deepEqual(info, {host: 'h', port: 5433, database: 'u', user: 'u', serverVersion: null});
	assert.equal(config.password, secret);
	assert.equal(config.connectionTimeoutMillis, 9000);
	// Our session is always recognisable as pg500, even with the application's environment.
	assert.equal(config.application_name, 'pg500');
});

test('sslmode: require encrypts without verifying, verify-full verifies, prefer/disable stay plain', () => {
	assert.deepEqual(resolveTarget('postgres://u@h/d?sslmode=require', {}).config.ssl, {rejectUnauthorized: false});
	assert.deepEqual(resolveTarget('postgres://u@h/d?sslmode=verify-full', {}).config.ssl, {});
	assert.equal(resolveTarget(undefined, {PGHOST: 'h', PGSSLMODE: 'prefer'}).config.ssl, false);
	assert.throws(() => resolveTarget('postgres://u@h/d?sslmode=verify-ca', {}), /verify-ca needs sslrootcert/);
	assert.throws(() => resolveTarget('postgres://u@h/d?sslmode=bogus', {}), /sslmode must be one of/);
});

test('a malformed URL is a UsageError (exit 3) of one line that does not echo the password', () => {
	for (const url of [`postgres://app:${secret}@host:notaport/db`, `mysql://app:${secret}@host/db`, `postgres://app:${secret}@[bad/db`]) {
		const error = (() => {
			try {
				resolveTarget(url, {});
			} catch (e) {
				return e;
			}
			return undefined;
		})();
		assert.ok(error instanceof UsageError, url);
		assert.equal(error.exitCode, 3);
		assert.equal(error.message.includes('\n'), false);
		assert.equal(error.message.includes(secret), false);
	}
	assert.throws(() => resolveTarget(undefined, {DATABASE_URL: 'nonsense'}), /DATABASE_URL is not a valid PostgreSQL URL/);
});

test('~/.pgpass lines: escapes, wildcards, first match wins, comments ignored', () => {
	assert.deepEqual(parsePgpassLine('h:5432:d:u:pa\\:ss\\\\'), ['h', '5432', 'd', 'u', 'pa:ss\\']);
	assert.equal(parsePgpassLine('# h:5432:d:u:p'), undefined);
	assert.equal(parsePgpassLine('too:few:fields'), undefined);
	const text = 'other:*:*:*:no\n*:5432:kv:app:first\n*:*:*:app:second\n';
	assert.equal(findPgpassPassword(text, {host: 'db', port: 5432, database: 'kv', user: 'app'}), 'first');
	assert.equal(findPgpassPassword(text, {host: 'db', port: 6432, database: 'kv', user: 'app'}), 'second');
	assert.equal(findPgpassPassword(text, {host: 'db', port: 5432, database: 'kv', user: 'nobody'}), undefined);
	assert.equal(findPgpassPassword('localhost:*:*:*:sock\n', {host: '/var/run/postgresql', port: 5432, database: 'd', user: 'u'}), 'sock');
});

test('a password file others can read is ignored, as libpq does', async () => {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'pg500-pgpass-'));
	const file = path.join(dir, 'pgpass');
	await writeFile(file, '*:*:*:*:pw\n');
	const key = {host: 'h', port: 5432, database: 'd', user: 'u'};
	await chmod(file, 0o644);
	assert.equal(await lookupPgpass(file, key), undefined);
	await chmod(file, 0o600);
	assert.equal(await lookupPgpass(file, key), 'pw');
	assert.equal(await lookupPgpass(path.join(dir, 'missing'), key), undefined);
});
