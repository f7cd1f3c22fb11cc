import {test} from 'node:test';
import assert from 'node:assert/strict';
import {loadRunbook, RunbookError, formatProblem} from '../../source/runbook/load.ts';
import {parseRunbook} from '../../source/runbook/parse.ts';

/** The problems parseRunbook reports, as `line:col: message` (it must throw a RunbookError, nothing else). */
function problems(text: string): string[] {
	try {
		parseRunbook(text, 'r.yaml');
	} catch (error) {
		assert.ok(error instanceof RunbookError, `not a RunbookError: ${(error as Error).stack}`);
		return error.problems.map(p => formatProblem(p).replace(/^r\.yaml:/, ''));
	}
	assert.fail('the runbook was accepted');
}

const minimal = `id: t
title: T
steps:
  - id: a
    title: A
    why: w
    kind: info
causes:
  - id: c
    title: C
    symptom: s
    check: k
    fix: f
fixes:
  - id: f
    title: F
    summary: s
    actions: [x]
`;

test('a minimal runbook loads, with the defaults filled in and its path', () => {
	const runbook = parseRunbook(minimal, 'r.yaml');
	assert.equal(runbook.path, 'r.yaml');
	assert.equal(runbook.version, '1');
	assert.deepEqual(runbook.thresholds, {});
	assert.deepEqual(runbook.steps[0]!.rules, []);
	assert.deepEqual(runbook.causes[0]!.evidence, []);
	assert.deepEqual(runbook.fixes[0]!.queries, []);
});

test('the default runbook loads when no file is given', async () => {
	const runbook = await loadRunbook();
	assert.equal(runbook.id, 'postgres-500');
	assert.equal(runbook.path, 'runbooks/postgres-500.yaml');
	assert.deepEqual(
		runbook.causes.map(c => c.id).sort(),
		['connection-failure', 'deadlocks', 'pool-exhaustion', 'pooler', 'read-only-target', 'schema', 'timeouts'],
	);
});

test('a missing key is named, at the map that lacks it', () => {
	assert.deepEqual(problems(minimal.replace('    why: w\n', '')), ['4:5: steps.0: missing "why"']);
	assert.deepEqual(problems(minimal.replace('title: T\n', '')), ['1:1: missing "title"']);
});

test('a value of the wrong type is located at the value', () => {
	assert.deepEqual(problems(minimal.replace('title: T', 'title: [T]')), ['2:8: title: Invalid input: expected string, received array']);
	assert.deepEqual(problems(minimal.replace('    kind: info', '    kind: info\n    rules:\n      - id: r\n        message: m\n        warning: loud')), [
		'11:18: steps.0.rules.0.warning: expected object',
	]);
});

test('a step kind and its fields must agree', () => {
	assert.deepEqual(problems(minimal.replace('kind: info', 'kind: log')), ['4:5: steps.0.source: a log step needs a source']);
	assert.deepEqual(problems(minimal.replace('kind: info', 'kind: info\n    query: select 1')), ['8:12: steps.0.query: a info step has no query']);
});

test('an empty rows condition would always hold, so it is refused', () => {
	const text = minimal.replace('    kind: info', '    kind: sql\n    query: q\n    rules:\n      - id: r\n        message: m\n        warning: {rows: {}}');
	assert.deepEqual(problems(text), ['12:25: steps.0.rules.0.warning.rows: rows needs one of gt, gte, lt, lte, eq']);
});

test('aliases that explode or point nowhere are located errors, not crashes', () => {
	const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
	for (let i = 1; i < 9; i++) {
		const name = String.fromCharCode(97 + i);
		bomb.push(`${name}: &${name} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
	}
	assert.deepEqual(problems(bomb.join('\n')), ['1:1: Excessive alias count indicates a resource exhaustion attack']);
	assert.deepEqual(problems('id: t\ntitle: *nope\n'), ['1:1: Unresolved alias (the anchor must be set before the alias): nope']);
});

test('a file that is not a map', () => {
	assert.deepEqual(problems('- a\n- b\n'), ['1:1: Invalid input: expected object, received array']);
});
