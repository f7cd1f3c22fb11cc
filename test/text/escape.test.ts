import {test} from 'node:test';
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {mkdtemp, readdir, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {escapeUntrusted} from '../../source/text/escape.ts';
import {parseRunbook} from '../../source/runbook/parse.ts';
import {readDefaultRunbook} from '../../source/runbook/default-runbook.ts';
import {fillTemplate} from '../../source/engine/template.ts';
import {quoteIdent, quoteLiteral} from '../../source/sql/quote.ts';
import {testRunbook} from '../ui/frames.ts';

/* Issue 14, item 7: every invisible, direction-changing and control
 * character is shown escaped, from one place; names are quoted by PostgreSQL's rules. */

test('C0 and C1 controls, bidi marks, embeddings, overrides and isolates, line separators and the BOM are escaped', () => {
	const cases: [string, string][] = [
		['\u001b]0;title\u0007', '\\x1b]0;title\\x07'],
		['\u0085 \u009b', '\\x85 \\x9b'],
		['a\u200eb\u200fc', 'a\\u200eb\\u200fc'],
		['\u202a\u202b\u202c\u202d\u202e', '\\u202a\\u202b\\u202c\\u202d\\u202e'],
		['\u2066\u2067\u2068\u2069', '\\u2066\\u2067\\u2068\\u2069'],
		['x\u2028y\u2029z', 'x\\u2028y\\u2029z'],
		['\ufeffbom', '\\ufeffbom'],
		['zero\u200bwidth\u061c', 'zero\\u200bwidth\\u061c'],
		['tag\u{e0041}', 'tag\\u{e0041}'],
		['line\nbreak\ttab', 'line\\nbreak\\ttab'],
		['plain text, ünïcödé, 漢字 ✔', 'plain text, ünïcödé, 漢字 ✔'],
	];
	for (const [text, shown] of cases) assert.equal(escapeUntrusted(text), shown, JSON.stringify(text));
	assert.equal(escapeUntrusted('keep\nlines\u202e', {keepNewlines: true}), 'keep\nlines\\u202e');
	assert.equal(escapeUntrusted('keep\n\tlayout\r\u202e', {keepNewlines: true}), 'keep\n\\tlayout\\r\\u202e');
	assert.equal(escapeUntrusted('keep\n\tlayout\r\u202e', {keepNewlines: true, keepTabs: true}), 'keep\n\tlayout\\r\\u202e');
});

test('runbook prose is escaped when the runbook is loaded; line breaks stay; SQL with a hidden character is refused', () => {
	const runbook = parseRunbook(testRunbook.replace('title: UI test runbook', 'title: "UI \\e]0;pwned\\a test \\u202e runbook"').replace('Post the verdict in the incident channel.', '"Post the verdict\\nin the channel \\u200f."'), 'r.yaml');
	assert.equal(runbook.title, 'UI \\x1b]0;pwned\\x07 test \\u202e runbook');
	assert.equal(runbook.steps[2]!.instructions![0], 'Post the verdict\nin the channel \\u200f.');
	assert.throws(
		() => parseRunbook(testRunbook.replace("where state = 'idle in transaction'", "where state = 'idle in transaction' \u202e"), 'r.yaml'),
		/r\.yaml:\d+:\d+: an invisible or control character \(U\+202E\) in the SQL/,
	);
});

test('a role name is quoted as an identifier in every suggested command: {column:ident}, {column:literal}, {@step.column:ident}', () => {
	const role = `x'y"; DROP TABLE kv_store; --`;
	assert.equal(quoteIdent(role), `"x'y""; DROP TABLE kv_store; --"`);
	assert.equal(quoteLiteral(`it's`), `'it''s'`);
	assert.equal(quoteLiteral('a\\b'), `E'a\\\\b'`);
	assert.equal(fillTemplate('GRANT pg_monitor TO {current_user:ident};', {current_user: role}, 1, {}), `GRANT pg_monitor TO "x'y""; DROP TABLE kv_store; --";`);
	assert.equal(fillTemplate("SELECT {name:literal}", {name: `o'clock`}, 1, {}), "SELECT 'o''clock'");
	assert.equal(fillTemplate('role {current_user}', {current_user: role}, 1, {}), `role ${role}`, 'prose stays as it is');
	// A value an earlier step saw ({@step-id.column}) is quoted the same way; plain, it is shown as it is.
	const seen = (ref: string) => (ref === 'connect.current_user' ? role : undefined);
	assert.equal(fillTemplate('GRANT x TO {@connect.current_user:ident};', {}, 1, {}, seen), `GRANT x TO "x'y""; DROP TABLE kv_store; --";`);
	assert.equal(fillTemplate('as {@connect.current_user}', {}, 1, {}, seen), `as ${role}`);
});

test('a value in a shell command is one shell word, whatever its name: {@target.database:shell}, and the default runbook quotes every one', async () => {
	const database = `x'y"; touch pwned; echo $HOME \\`;
	const seen = (ref: string) => (ref === 'target.database' ? database : ref === 'target.host' ? 'db-1.internal' : undefined);
	const line = fillTemplate("printf '[%s]' -h {@target.host:shell} -d {@target.database:shell}", {}, 0, {}, seen);
	assert.equal(line, `printf '[%s]' -h db-1.internal -d 'x'\\''y"; touch pwned; echo $HOME \\'`);
	// The shell itself reads it back as the one word it was, and runs nothing else.
	const dir = await mkdtemp(path.join(os.tmpdir(), 'pg500-shell-'));
	try {
		const printed = execFileSync('sh', ['-c', line], {cwd: dir, encoding: 'utf8'});
		assert.equal(printed, `[-h][db-1.internal][-d][${database}]`);
		assert.deepEqual(await readdir(dir), [], 'nothing was run');
	} finally {
		await rm(dir, {recursive: true, force: true});
	}
	for (const fix of parseRunbook(readDefaultRunbook(), 'postgres-500.yaml').fixes)
		for (const command of fix.commands) {
			if (/^[A-Z]+ /.test(command.run)) continue; // SQL: quoted with :ident or :literal
			for (const [placeholder] of command.run.matchAll(/\{@[^}]*\}/g)) assert.match(placeholder, /:shell[|}]/, `${fix.id}: ${command.run}`);
		}
});
