import {test} from 'node:test';
import assert from 'node:assert/strict';
import {checkGraph} from '../../source/runbook/graph.ts';
import type {RunbookInput} from '../../source/runbook/schema.ts';

type StepInput = RunbookInput['steps'][number];
const step = (id: string, extra: Partial<StepInput> = {}): StepInput => ({id, title: id, why: 'w', kind: 'sql', query: 'select 1', ...extra});
const rule = (id: string) => ({id, message: 'm', warning: {column: 'n', gt: 0}});

function runbook(parts: Partial<RunbookInput> = {}): RunbookInput {
	return {
		id: 't',
		title: 'T',
		steps: [step('a', {rules: [rule('r')]}), step('b'), step('c')],
		causes: [{id: 'c1', title: 'C', symptom: 's', check: 'k', fix: 'f1', evidence: [{finding: 'a.r', weight: 1}]}],
		fixes: [{id: 'f1', title: 'F', summary: 's', actions: ['x'], queries: [{id: 'q', title: 'Q', why: 'w', query: 'select 1', rules: [rule('r')]}]}],
		...parts,
	};
}

test('a consistent runbook has no problems; follow-up findings are named fix/query.rule', () => {
	assert.deepEqual(checkGraph(runbook()), []);
	const withFollowUpBranch = runbook({
		steps: [step('a', {rules: [rule('r')], next: [{if: {finding: 'f1/q.r'}, goto: 'end'}, {if: {step: 'b', status: ['ok']}, goto: 'causes'}]}), step('b')],
	});
	assert.deepEqual(checkGraph(withFollowUpBranch), []);
});

test('duplicate ids are reported at the second one', () => {
	const problems = checkGraph(
		runbook({
			steps: [step('a', {rules: [rule('r'), rule('r')]}), step('b'), step('a')],
			causes: [
				{id: 'c1', title: 'C', symptom: 's', check: 'k', fix: 'f1'},
				{id: 'c1', title: 'C', symptom: 's', check: 'k', fix: 'f1'},
			],
			fixes: [
				{id: 'f1', title: 'F', summary: 's', actions: ['x'], queries: [{id: 'q', title: 'Q', why: 'w', query: 'q'}, {id: 'q', title: 'Q', why: 'w', query: 'q'}]},
				{id: 'f1', title: 'F', summary: 's', actions: ['x']},
			],
		}),
	);
	assert.deepEqual(problems, [
		{path: ['steps', 2, 'id'], message: 'duplicate step id "a"'},
		{path: ['fixes', 1, 'id'], message: 'duplicate fix id "f1"'},
		{path: ['causes', 1, 'id'], message: 'duplicate cause id "c1"'},
		{path: ['steps', 0, 'rules', 1, 'id'], message: 'duplicate rule (in step "a") id "r"'},
		{path: ['fixes', 0, 'queries', 1, 'id'], message: 'duplicate follow-up (in fix "f1") id "q"'},
	]);
});

test('a step and a fix may not share an id (a branch target would be ambiguous)', () => {
	const problems = checkGraph(runbook({steps: [step('a', {rules: [rule('r')]}), step('f1')]}));
	assert.deepEqual(problems, [{path: ['steps', 1, 'id'], message: '"f1" is both a step and a fix'}]);
});

test('unknown branch target, finding, step and fix', () => {
	const problems = checkGraph(
		runbook({
			steps: [
				step('a', {
					rules: [rule('r')],
					next: [
						{if: {finding: 'a.nope'}, goto: 'nowhere'},
						{if: {step: 'zzz', status: ['error']}, goto: 'b'},
					],
				}),
				step('b'),
			],
			causes: [{id: 'c1', title: 'C', symptom: 's', check: 'k', fix: 'no-fix', evidence: [{finding: 'b.r', weight: 1}]}],
		}),
	);
	assert.deepEqual(problems, [
		{path: ['steps', 0, 'next', 0, 'goto'], message: 'unknown branch target "nowhere"'},
		{path: ['steps', 0, 'next', 0, 'if', 'finding'], message: 'unknown finding "a.nope"'},
		{path: ['steps', 0, 'next', 1, 'if', 'step'], message: 'unknown step "zzz"'},
		{path: ['causes', 0, 'fix'], message: 'unknown fix "no-fix"'},
		{path: ['causes', 0, 'evidence', 0, 'finding'], message: 'unknown finding "b.r"'},
	]);
});

test('a backward goto is a loop, reported with the loop at the branch that closes it', () => {
	const problems = checkGraph(
		runbook({steps: [step('a', {rules: [rule('r')]}), step('b'), step('c', {next: [{if: {step: 'c', status: ['ok']}, goto: 'end'}, {if: {step: 'c', status: ['error']}, goto: 'b'}]})]}),
	);
	assert.deepEqual(problems, [{path: ['steps', 2, 'next', 1, 'goto'], message: 'branching loops: b → c → b'}]);
});

test('a loop closed by falling through is located at its backward branch', () => {
	// a jumps to c, c falls through to d, d goes back to b, b falls through to c.
	const problems = checkGraph(
		runbook({
			steps: [
				step('a', {rules: [rule('r')], next: [{if: {step: 'a', status: ['ok']}, goto: 'c'}]}),
				step('b'),
				step('c'),
				step('d', {next: [{if: {step: 'd', status: ['ok']}, goto: 'b'}]}),
			],
		}),
	);
	assert.equal(problems.length, 1);
	assert.equal(problems[0]!.message, 'branching loops: c → d → b → c');
	assert.deepEqual(problems[0]!.path, ['steps', 3, 'next', 0, 'goto']);
});

test('a step that branches to itself loops', () => {
	const problems = checkGraph(runbook({steps: [step('a', {rules: [rule('r')], next: [{if: {step: 'a', status: ['ok']}, goto: 'a'}]})]}));
	assert.deepEqual(problems, [{path: ['steps', 0, 'next', 0, 'goto'], message: 'branching loops: a → a'}]);
});

test('forward branches, fixes, causes and end never loop', () => {
	const problems = checkGraph(
		runbook({
			steps: [
				step('a', {rules: [rule('r')], next: [{if: {finding: 'a.r'}, goto: 'c'}, {if: {step: 'a', status: ['error']}, goto: 'f1'}]}),
				step('b', {next: [{if: {step: 'b', status: ['ok']}, goto: 'causes'}]}),
				step('c', {next: [{if: {step: 'c', status: ['ok']}, goto: 'end'}]}),
			],
		}),
	);
	assert.deepEqual(problems, []);
});

test('every $threshold in a condition or a message must exist', () => {
	const problems = checkGraph(
		runbook({
			thresholds: {known: 1},
			steps: [
				step('a', {
					rules: [
						{id: 'r', message: 'over {$known} and {$missing}', warning: {any: [{column: 'n', gt: '$known'}, {all: [{column: 'n', lt: '$typo'}]}]}},
						{id: 's', message: 'no {$known}', critical: {rows: {gte: '$gone'}}, info: {column: 'name', eq: '$literal-looking', matches: '^\\$x'}},
					],
				}),
			],
			fixes: [{id: 'f1', title: 'F', summary: 's', actions: ['x'], queries: [{id: 'q', title: 'Q', why: 'w', query: 'q', rules: [{id: 'r', message: 'm', warning: {column: 'n', gt: '$nope'}}]}]}],
		}),
	);
	assert.deepEqual(problems, [
		{path: ['steps', 0, 'rules', 0, 'message'], message: 'unknown threshold "$missing"'},
		{path: ['steps', 0, 'rules', 0, 'warning', 'any', 1, 'all', 0, 'lt'], message: 'unknown threshold "$typo"'},
		{path: ['steps', 0, 'rules', 1, 'critical', 'rows', 'gte'], message: 'unknown threshold "$gone"'},
		{path: ['steps', 0, 'rules', 1, 'info', 'eq'], message: 'unknown threshold "$literal-looking"'},
		{path: ['fixes', 0, 'queries', 0, 'rules', 0, 'warning', 'gt'], message: 'unknown threshold "$nope"'},
	]);
});

test('@step-id.column must name a step that has run by then', () => {
	const problems = checkGraph(
		runbook({
			steps: [
				step('a', {rules: [rule('r'), {id: 'rose', message: 'm', critical: {column: 'n', gt: '@a.n'}}]}),
				step('b', {
					rules: [
						{id: 'ok', message: 'm', critical: {column: 'n', gt: '@a.n'}},
						{id: 'later', message: 'm', critical: {column: 'n', gt: '@c.n'}},
						{id: 'typo', message: 'm', critical: {all: [{column: 'n', gt: '@zz.n'}]}},
						{id: 'shape', message: 'm', critical: {column: 'n', gt: '@a'}},
						{id: 'literal', message: 'm', critical: {column: '@a.n', matches: '@c.n'}},
					],
				}),
				step('c'),
			],
			fixes: [{id: 'f1', title: 'F', summary: 's', actions: ['x'], queries: [{id: 'q', title: 'Q', why: 'w', query: 'q', rules: [{id: 'r', message: 'm', warning: {column: 'n', gt: '@c.n'}}]}]}],
		}),
	);
	assert.deepEqual(problems, [
		{path: ['steps', 1, 'rules', 1, 'critical', 'gt'], message: '"@c.n" names a step that has not run yet at this point'},
		{path: ['steps', 1, 'rules', 2, 'critical', 'all', 0, 'gt'], message: 'unknown step "zz" in "@zz.n"'},
		{path: ['steps', 1, 'rules', 3, 'critical', 'gt'], message: '"@a" is not @step-id.column'},
	]);
});

test("a fix's text may name any step's value, with a fallback; an unknown step or threshold is located", () => {
	const problems = checkGraph(
		runbook({
			steps: [step('a', {rules: [rule('r')]}), step('b')],
			fixes: [
				{
					id: 'f1',
					title: 'F',
					summary: 'Go to {@b.primary|the primary. Or not.}, within {$gone}.',
					actions: ['Fine: {@a.n}', 'Typo: {@zz.host|somewhere}'],
					queries: [],
				},
			],
		}),
	);
	assert.deepEqual(problems, [
		{path: ['fixes', 0, 'summary'], message: 'unknown threshold "$gone"'},
		{path: ['fixes', 0, 'actions', 1], message: 'unknown step "zz" in "@zz.host"'},
	]);
});
