import {test} from 'node:test';
import assert from 'node:assert/strict';
import {chmod, mkdir, mkdtemp, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {resolveTarget} from '../../source/postgres/target.ts';
import {lookupPgpass} from '../../source/postgres/pgpass.ts';
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

test('sslmode as libpq: prefer tries TLS then plain, allow the reverse; require encrypts; verify-* need a root certificate', async () => {
	const home = await mkdtemp(path.join(os.tmpdir(), 'pg500-home-'));
	const env = {HOME: home};
	const require = resolveTarget('postgres://u@h/d?sslmode=require', env);
	assert.deepEqual(require.config.ssl, {rejectUnauthorized: false});
	assert.equal(require.fallback, undefined);
	// libpq's default is prefer: TLS first (unverified without a root certificate), plain when refused.
	const prefer = resolveTarget(undefined, {...env, PGHOST: 'h'});
	assert.equal(prefer.sslmode, 'prefer');
	assert.deepEqual(prefer.config.ssl, {rejectUnauthorized: false});
	assert.equal(prefer.fallback?.ssl, false);
	const allow = resolveTarget('postgres://u@h/d?sslmode=allow', env);
	assert.equal(allow.config.ssl, false);
	assert.deepEqual(allow.fallback?.ssl, {rejectUnauthorized: false});
	assert.equal(resolveTarget('postgres://u@h/d?sslmode=disable', env).config.ssl, false);
	assert.equal(resolveTarget('postgres://u@h/d?sslmode=disable', env).fallback, undefined);

	assert.throws(() => resolveTarget('postgres://u@h/d?sslmode=verify-ca', env), /verify-ca needs a root certificate/);
	assert.throws(() => resolveTarget('postgres://u@h/d?sslmode=verify-full', env), /verify-full needs a root certificate/);
	assert.deepEqual(resolveTarget('postgres://u@h/d?sslmode=verify-full&sslrootcert=system', env).config.ssl, {});
	// ~/.postgresql/root.crt is the default root certificate, as in libpq; with it require verifies the CA too.
	await mkdir(path.join(home, '.postgresql'));
	await writeFile(path.join(home, '.postgresql', 'root.crt'), 'CA PEM');
	const full = resolveTarget('postgres://u@h/d?sslmode=verify-full', env).config.ssl as {ca?: string; checkServerIdentity?: unknown};
	assert.equal(full.ca, 'CA PEM');
	assert.equal(full.checkServerIdentity, undefined, 'verify-full checks the host name');
	const ca = resolveTarget('postgres://u@h/d?sslmode=verify-ca', env).config.ssl as {ca?: string; checkServerIdentity?: unknown};
	assert.equal(ca.ca, 'CA PEM');
	assert.equal(typeof ca.checkServerIdentity, 'function', 'verify-ca does not');
	assert.equal((resolveTarget('postgres://u@h/d?sslmode=require', env).config.ssl as {ca?: string}).ca, 'CA PEM');
	assert.throws(() => resolveTarget('postgres://u@h/d?sslmode=verify-ca&sslrootcert=/nonexistent/ca.pem', env), /cannot read the root certificate/);
	assert.throws(() => resolveTarget('postgres://u@h/d?sslmode=bogus', env), /sslmode must be one of/);
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

test('~/.pgpass (through the pgpass package): escapes, wildcards, first match wins, a socket is localhost', async () => {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'pg500-pgpass-'));
	const file = path.join(dir, 'pgpass');
	await writeFile(file, 'other:*:*:*:no-no-no\n*:5432:kv:app:pa\\:ss\\\\word\n*:*:*:app:second-pw\nlocalhost:*:*:sock:socket-pw\n', {mode: 0o600});
	assert.equal(await lookupPgpass(file, {host: 'db', port: 5432, database: 'kv', user: 'app'}), 'pa:ss\\word');
	assert.equal(await lookupPgpass(file, {host: 'db', port: 6432, database: 'kv', user: 'app'}), 'second-pw');
	assert.equal(await lookupPgpass(file, {host: 'db', port: 5432, database: 'kv', user: 'nobody'}), undefined);
	assert.equal(await lookupPgpass(file, {host: '/var/run/postgresql', port: 5432, database: 'd', user: 'sock'}), 'socket-pw');
});

test('a password file others can read is ignored, as libpq does', async () => {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'pg500-pgpass-'));
	const file = path.join(dir, 'pgpass');
	await writeFile(file, '*:*:*:*:password\n');
	const key = {host: 'h', port: 5432, database: 'd', user: 'u'};
	await chmod(file, 0o644);
	assert.equal(await lookupPgpass(file, key), undefined);
	await chmod(file, 0o600);
	assert.equal(await lookupPgpass(file, key), 'password');
	assert.equal(await lookupPgpass(path.join(dir, 'missing'), key), undefined);
});
