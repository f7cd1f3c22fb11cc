import {test} from 'node:test';
import assert from 'node:assert/strict';
import {mkdtempSync, readFileSync, readdirSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {redactSqlLiterals} from '../../source/report/redact.ts';
import {redactSecrets, redactedPrefix, splitUrl, urlWithoutPassword} from '../../source/text/secrets.ts';
import {sampleChars, Tally} from '../../source/logs/tally.ts';
import type {LogClass} from '../../source/logs/log-classes.ts';
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

test('URLs are taken apart, not pattern-matched: quotes, a raw @, / or ? in the password never show, and the user stays the user', () => {
	// The cases of issue 14: the old pattern stored the first whole and made `at1@SECRET` of the second.
	assert.equal(urlWithoutPassword("postgres://q1:it'sQUOTE@db:5432/kv"), 'postgres://q1@db:5432/kv');
	assert.equal(urlWithoutPassword('postgres://at1:AT@SECRET@db/kv'), 'postgres://at1@db/kv');
	assert.equal(urlWithoutPassword('postgres://u:pa/ss?x@db/kv?sslmode=require'), 'postgres://u@db/kv?sslmode=require');
	assert.equal(urlWithoutPassword('postgres://u%40corp:p%3Ass@db/kv'), 'postgres://u%40corp@db/kv');
	assert.equal(urlWithoutPassword('postgres://db/kv'), 'postgres://db/kv');
	assert.deepEqual(splitUrl('postgres://at1:AT@SECRET@db/kv'), {scheme: 'postgres:', user: 'at1', password: 'AT@SECRET', rest: 'db/kv'});
	assert.equal(splitUrl('postgres://u:50%zz@h/d')?.password, '50%zz', 'not valid percent-encoding: taken as written');
	assert.equal(redactSecrets(`log: postgres://q1:it'sQUOTE"x@db/kv failed`), 'log: postgres://q1:***@db/kv failed');
	assert.equal(redactSecrets('dsn=postgres://a:b/c@d@h/db;'), 'dsn=postgres://a:***@h/db;');
});

test('text is cut only after its passwords are gone', () => {
	const line = `denokv --postgres-url postgres://app:${'s'.repeat(30)}@db/kv serve`;
	assert.equal(redactedPrefix(line, 40), 'denokv --postgres-url postgres://app:***@db/kv');
	assert.equal(redactedPrefix(line, 40).includes('sss'), false);
});

test('log samples: no password, whether the line is short, cut mid-URL, or grown by a DETAIL line', () => {
	const tally = new Tally();
	const klass = {class: 'refused', cause: 'connections', sqlstate: null} as unknown as LogClass;
	const secret = 'hunter2-PW';
	tally.add(klass, null, `ERROR connecting to postgres://app:${secret}@db/kv`, 'a');
	// A password longer than what a sample keeps: a cut inside it would hide the `@` that shows where it ends.
	tally.add(klass, null, `FATAL postgres://app:${secret}${'s'.repeat(sampleChars * 4)}@db/kv refused`, 'b');
	tally.add(klass, null, 'ERROR: could not connect', 'c');
	tally.addDetail(`DETAIL: tried postgres://app:${secret}@db/kv`, 'c');
	const [row] = tally.rows(null);
	assert.equal(row!.count, 3);
	assert.equal(/hunte|sssss/.test(String(row!.sample)), false, String(row!.sample));
	assert.match(String(row!.sample), /postgres:\/\/app:\*\*\*@db\/kv/);
});
