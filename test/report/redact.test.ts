import {test} from 'node:test';
import assert from 'node:assert/strict';
import {mkdtempSync, readFileSync, readdirSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {redactSqlLiterals} from '../../source/report/redact.ts';
import {redactSecrets} from '../../source/text/secrets.ts';
import {renderReport} from '../../source/report/render.ts';
import {writeFileAtomic} from '../../source/report/write-file-atomic.ts';
import {leakQuery, poolExhaustionEvents, replay, secret} from './fixtures.ts';

test('passwords are removed from URLs, key=value pairs and SQL', () => {
	assert.equal(redactSecrets('postgres://app:s3cr3t@db:5432/kv'), 'postgres://app:***@db:5432/kv');
	assert.equal(redactSecrets('url postgresql://a%40b:p%3Ass@h/db?sslmode=require'), 'url postgresql://a%40b:***@h/db?sslmode=require');
	assert.equal(redactSecrets("host=db password=s3cr3t user=app"), 'host=db password=*** user=app');
	assert.equal(redactSecrets("PGPASSWORD='two words' psql"), 'PGPASSWORD=*** psql');
	assert.equal(redactSecrets("ALTER ROLE app PASSWORD 'it''s secret'"), "ALTER ROLE app PASSWORD '***'");
	// Not secrets: left as they are.
	assert.equal(redactSecrets('FATAL: password authentication failed for user "app"'), 'FATAL: password authentication failed for user "app"');
	assert.equal(redactSecrets('password_encryption = scram-sha-256'), 'password_encryption = scram-sha-256');
	assert.equal(redactSecrets('postgres://app@db/kv'), 'postgres://app@db/kv');
});

test('query literals become ? while identifiers, parameters and casts stay', () => {
	assert.equal(redactSqlLiterals(leakQuery), 'UPDATE kv SET v = ? WHERE k = ? AND n > ?');
	assert.equal(redactSqlLiterals(`SELECT "col 1", t2.x::int4 FROM t2 WHERE a = $1 AND b = E'it\\'s' AND c = $$x$$ AND d IN (1, 2.5e3)`), 'SELECT "col 1", t2.x::int4 FROM t2 WHERE a = $1 AND b = ? AND c = ? AND d IN (?, ?)');
	assert.equal(redactSqlLiterals("SELECT 'it''s' -- 'comment' 5\n"), "SELECT ? -- 'comment' 5\n");
	// Query text is truncated at 200 characters: an unterminated literal runs to the end.
	assert.equal(redactSqlLiterals("INSERT INTO kv VALUES ('abc…"), 'INSERT INTO kv VALUES (?');
});

test('the password never reaches any report format, files included', () => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pg500-redact-'));
	const state = replay(poolExhaustionEvents());
	for (const format of ['json', 'markdown', 'html'] as const)
		for (const redactLiterals of [false, true]) writeFileAtomic(path.join(dir, `report-${redactLiterals}.${format}`), renderReport(state, format, {redactLiterals}));
	const files = readdirSync(dir);
	assert.equal(files.length, 6);
	for (const file of files) {
		const text = readFileSync(path.join(dir, file), 'utf8');
		assert.ok(!text.includes(secret), `${file} carries the password`);
		// Markdown escapes the stars (\*\*\*) so they render as they are.
		assert.ok(text.includes('***') || text.includes('\\*\\*\\*'), `${file} shows where it was`);
	}
});

test('--redact-literals removes literals from query columns, step queries and the finding messages built from them', () => {
	const state = replay(poolExhaustionEvents());
	const plain = renderReport(state, 'json');
	assert.ok(plain.includes('card-4111-1111'));
	for (const format of ['json', 'markdown', 'html'] as const) {
		const text = renderReport(state, format, {redactLiterals: true});
		assert.ok(!text.includes('card-4111-1111'), `${format} keeps a literal`);
		assert.ok(!text.includes('4242'), `${format} keeps a number`);
	}
	const report = JSON.parse(renderReport(state, 'json', {redactLiterals: true}));
	const connections = report.steps.find((s: {id: string}) => s.id === 'connections');
	assert.equal(connections.rows[0].oldest_idle_in_tx_query, 'UPDATE kv SET v = ? WHERE k = ? AND n > ?');
	assert.equal(connections.query, 'SELECT count(*) FROM pg_stat_activity WHERE state = ? AND pid <> ?');
	assert.match(connections.findings[0].message, /after: UPDATE kv SET v = \? WHERE k = \? AND n > \?$/);
	assert.match(report.causes[0].evidence[1], /UPDATE kv SET v = \?/);
	// Numbers that are not query text stay.
	assert.equal(connections.rows[0].used, 97);
});
