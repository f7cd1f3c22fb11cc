import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

/* `pg500 validate` and the CLI's own usage errors, run as a user runs them:
 * the built bundle (npm test builds it first), from the repository root. */

const root = new URL('../..', import.meta.url).pathname;
const bundle = join(root, 'dist/pg500.mjs');
let dir: string;

before(() => {
	if (!existsSync(bundle)) {
		const built = spawnSync(process.execPath, ['scripts/build.mjs'], {cwd: root, encoding: 'utf8'});
		assert.equal(built.status, 0, `the build failed: ${built.stderr}`);
	}
	dir = mkdtempSync(join(tmpdir(), 'pg500-validate-'));
});
after(() => rmSync(dir, {recursive: true, force: true}));

function pg500(...args: string[]) {
	const r = spawnSync(process.execPath, [bundle, ...args], {cwd: root, encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}});
	return {code: r.status, stdout: r.stdout, stderr: r.stderr};
}

function file(name: string, text: string): string {
	const path = join(dir, name);
	writeFileSync(path, text);
	return path;
}

/** A valid runbook, one line per array entry; the tests break one line of it. */
const good = [
	'id: broken', // 1
	'title: Broken runbook', // 2
	'steps:', // 3
	'  - id: first', // 4
	'    title: First', // 5
	'    why: because', // 6
	'    kind: sql', // 7
	'    query: select 1', // 8
	'    rules:', // 9
	'      - id: busy', // 10
	'        message: busy', // 11
	'        warning: {column: n, gt: 0}', // 12
	'  - id: second', // 13
	'    title: Second', // 14
	'    why: because', // 15
	'    kind: sql', // 16
	'    query: select 2', // 17
	'causes:', // 18
	'  - id: cause', // 19
	'    title: Cause', // 20
	'    symptom: s', // 21
	'    check: c', // 22
	'    fix: fix', // 23
	'    evidence:', // 24
	'      - finding: first.busy', // 25
	'        weight: 1', // 26
	'fixes:', // 27
	'  - id: fix', // 28
	'    title: Fix', // 29
	'    summary: s', // 30
	'    actions: [do it]', // 31
];
/** The good runbook with line `line` (1-based) replaced by `lines` (none: deleted). */
const edited = (line: number, ...lines: string[]) => [...good.slice(0, line - 1), ...lines, ...good.slice(line)].join('\n') + '\n';

/** Runs validate on a broken file: exit 3, nothing on stdout, exactly the expected located lines on stderr. */
function rejects(name: string, text: string, expected: string[]) {
	const path = file(name, text);
	const r = pg500('validate', path);
	assert.equal(r.code, 3, r.stderr);
	assert.equal(r.stdout, '');
	assert.deepEqual(r.stderr.trimEnd().split('\n'), expected.map(line => `${path}:${line}`));
	assert.doesNotMatch(r.stderr, /\n\s+at |internal error/, 'no stack trace');
}

test('the shipped runbook is valid', () => {
	const r = pg500('validate', 'runbooks/postgres-500.yaml');
	assert.equal(r.stderr, '');
	assert.match(r.stdout, /^runbooks\/postgres-500\.yaml: ok \(\d+ steps, 7 causes, \d+ fixes\)\n$/);
	assert.equal(r.code, 0);
});

test('a valid file says ok with its size', () => {
	const path = file('good.yaml', good.join('\n'));
	const r = pg500('validate', path);
	assert.deepEqual([r.code, r.stdout, r.stderr], [0, `${path}: ok (2 steps, 1 causes, 1 fixes)\n`, '']);
});

test('a YAML syntax error, at the offending character; only the first of a cascade', () => {
	rejects('syntax.yaml', edited(6, '    why: because: really'), ['6:10: Nested mappings are not allowed in compact mappings']);
	rejects('tab.yaml', edited(6, '\twhy: because'), ['6:1: Tabs are not allowed as indentation']);
	// An unclosed flow map confuses the parser for the rest of the file; the first error is the one to fix.
	rejects('unclosed.yaml', edited(12, '        warning: {column: n, gt: 0'), [
		'13:3: Flow map in block collection must be sufficiently indented and end with a }',
	]);
	rejects('two-docs.yaml', `${good.join('\n')}\n---\nid: other\n`, ['32:1: a runbook is one YAML document; this file has several (---)']);
});

test('an unknown step kind, at the kind', () => {
	rejects('kind.yaml', edited(16, '    kind: shell'), [
		'16:11: steps.1.kind: Invalid option: expected one of "connect"|"sql"|"log"|"pgbouncer"|"manual"|"info"',
	]);
});

test('an unknown branch target, at the goto', () => {
	rejects('target.yaml', edited(17, '    query: select 2', '    next:', '      - if: {step: second, status: [ok]}', '        goto: nowhere'), [
		'20:15: unknown branch target "nowhere"',
	]);
});

test('a cycle, with the loop, at the branch going back', () => {
	rejects('cycle.yaml', edited(17, '    query: select 2', '    next:', '      - if: {finding: first.busy}', '        goto: first'), [
		'20:15: branching loops: first → second → first',
	]);
});

test('an action whose SQL is not bound to the evidence, at its SQL; the bound one passes', () => {
	const action = (sql: string) => ['    actions:', '      - do it', '      - id: end-it', '        title: End it', '        finding: first.busy', '        target: session', `        sql: ${sql}`];
	rejects('unbound.yaml', edited(31, ...action('SELECT pg_terminate_backend(4242)')), [
		"37:14: the action's SQL is not bound to the evidence: it must name its session as {pid}, from the rows of first.busy",
	]);
	const bound = file('bound.yaml', edited(31, ...action('SELECT pg_terminate_backend({pid})')));
	assert.equal(pg500('validate', bound).code, 0);
});

test('a sql step without a query, at the step', () => {
	rejects('no-query.yaml', edited(17), ['13:5: steps.1.query: a sql step needs a query']);
});

test('an empty file, and a file of comments only', () => {
	rejects('empty.yaml', '', ['1:1: the runbook is empty']);
	rejects('comments.yaml', '# to do\n', ['1:1: the runbook is empty']);
});

test('an unknown key, at the key', () => {
	rejects('unknown-key.yaml', edited(5, '    title: First', '    colour: red'), ['6:5: steps.0: unknown key "colour"']);
	rejects('unknown-op.yaml', edited(12, '        warning: {column: n, gtt: 0}'), [
		'12:30: steps.0.rules.0.warning: unknown key "gtt"',
		'12:18: steps.0.rules.0.warning: a comparison needs one of gt, gte, lt, lte, eq, ne, matches',
	]);
});

test('a duplicate key, at the second one', () => {
	rejects('duplicate-key.yaml', edited(5, '    title: First', '    title: Again'), ['6:5: Map keys must be unique']);
});

test('a value of the wrong type inside a condition, at the value', () => {
	rejects('operand.yaml', edited(12, '        warning: {column: n, gt: [0]}'), ['12:34: steps.0.rules.0.warning.gt: expected number, string, boolean or null']);
});

test('an unknown threshold and a bad regular expression are caught before any run', () => {
	rejects('threshold.yaml', edited(12, '        warning: {column: n, gt: $busy}'), ['12:34: unknown threshold "$busy"']);
	rejects('regexp.yaml', edited(12, '        warning: {column: n, matches: "(unclosed"}'), [
		'12:39: steps.0.rules.0.warning.matches: not a valid regular expression',
	]);
});

test('a missing file', () => {
	const path = join(dir, 'nowhere.yaml');
	const r = pg500('validate', path);
	assert.deepEqual([r.code, r.stdout, r.stderr], [3, '', `${path}:1:1: cannot read runbook: no such file\n`]);
});

test('several files: each is reported, and one bad file makes the exit code 3', () => {
	const ok = file('ok.yaml', good.join('\n'));
	const bad = file('bad.yaml', '');
	const r = pg500('validate', ok, bad);
	assert.equal(r.code, 3);
	assert.equal(r.stdout, `${ok}: ok (2 steps, 1 causes, 1 fixes)\n`);
	assert.equal(r.stderr, `${bad}:1:1: the runbook is empty\n`);
});

test('--version and --help exit 0', () => {
	const version = pg500('--version');
	assert.equal(version.code, 0);
	assert.match(version.stdout, /^\d+\.\d+\.\d+\S*\n$/);
	const help = pg500('--help');
	assert.equal(help.code, 0);
	assert.match(help.stdout, /Usage: pg500/);
	assert.match(help.stdout, /validate/);
	assert.equal(help.stderr, '');
});

test('usage mistakes: one line on stderr, exit 3', () => {
	const outOfRange = [
		// 2^31-1 ms overflows Node's timers to 1 ms: every check would time out at once.
		['run', '--statement-timeout', '2147483647'],
		['run', '--statement-timeout', '86400001'],
		['run', '--log-tail-mb', '99999999999'],
		['run', '--log-since', '0m'],
		['run', '--log-since', '9999999h'],
	];
	for (const args of [['--bogus'], ['run', '--statement-timeout', 'abc'], ['validate'], ['rnu'], ...outOfRange]) {
		const r = pg500(...args);
		assert.equal(r.code, 3, args.join(' '));
		assert.equal(r.stdout, '', args.join(' '));
		assert.match(r.stderr, /^pg500: [^\n]+\n$/, `${args.join(' ')}: ${r.stderr}`);
	}
	assert.equal(pg500('run', '--statement-timeout', 'abc').stderr, 'pg500: --statement-timeout must be a whole number from 1 to 86400000 ms (24 hours), got "abc"\n');
	assert.equal(pg500('run', '--statement-timeout', '2147483647').stderr, 'pg500: --statement-timeout must be a whole number from 1 to 86400000 ms (24 hours), got "2147483647"\n');
	assert.match(pg500('--bogus').stderr, /unknown option '--bogus'/);
	assert.match(pg500('rnu').stderr, /^pg500: unknown command "rnu" \(commands: run, demo, validate, resume, report, watch;/);
});
