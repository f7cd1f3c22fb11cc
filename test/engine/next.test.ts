import {test} from 'node:test';
import assert from 'node:assert/strict';
import {initialState, reduce} from '../../source/engine/reducer.ts';
import {chooseFix, nextMove} from '../../source/engine/next.ts';
import type {RunState} from '../../source/engine/types.ts';
import {at, makeRunbook, runStep, sqlStep, started} from './fixtures.ts';

const runbook = makeRunbook({
	steps: [
		sqlStep('a', {
			kind: 'connect',
			rules: [{id: 'down', per: 'row', message: 'cannot connect: {failure}', critical: {column: 'failure', ne: null}}],
			next: [
				{if: {finding: 'a.down', atLeast: 'critical'}, goto: 'causes'},
				{if: {step: 'a', status: ['error']}, goto: 'end'},
			],
		}),
		sqlStep('b', {
			rules: [{id: 'hot', per: 'row', message: 'n={n}', info: {column: 'n', eq: 0}, warning: {column: 'n', gte: 1}}],
			next: [{if: {finding: 'b.hot'}, goto: 'd'}],
		}),
		sqlStep('c', {
			rules: [{id: 'bad', per: 'row', message: 'bad', warning: {column: 'n', gte: 1}}],
			next: [{if: {finding: 'c.bad'}, goto: 'fix-x'}],
		}),
		sqlStep('d'),
	],
	causes: [
		{id: 'cause-x', title: 'X', symptom: 's', check: 'c', fix: 'fix-x', evidence: [{finding: 'a.down', weight: 1}, {finding: 'c.bad', weight: 0.6}]},
		{id: 'cause-y', title: 'Y', symptom: 's', check: 'c', fix: 'fix-y', evidence: [{finding: 'b.hot', weight: 0.3}]},
	],
	fixes: [
		{
			id: 'fix-x',
			title: 'Fix X',
			summary: 'fix x',
			actions: ['do x'],
			queries: [
				{id: 'q1', title: 'Q1', why: 'w', query: 'select 1'},
				{id: 'q2', title: 'Q2', why: 'w', kind: 'manual', instructions: ['look']},
			],
		},
		{id: 'fix-y', title: 'Fix Y', summary: 'fix y', actions: ['do y'], queries: [{id: 'q1', title: 'Q1', why: 'w', query: 'select 1'}]},
	],
});
const fresh = () => initialState(runbook);
const through = (...ids: string[]): RunState => ids.reduce((s, id) => runStep(s, id), fresh());

test('the first move is the first step, and a running step stays the move', () => {
	assert.deepEqual(nextMove(fresh()), {kind: 'step', stepId: 'a'});
	assert.deepEqual(nextMove(reduce(fresh(), started('a'))), {kind: 'step', stepId: 'a'});
});

test('with no branch matching, the run falls through to the following step', () => {
	assert.deepEqual(nextMove(through('a')), {kind: 'step', stepId: 'b'});
	// An info finding is below a branch's default floor (warning).
	assert.deepEqual(nextMove(runStep(through('a'), 'b', [{n: 0}])), {kind: 'step', stepId: 'c'});
	assert.deepEqual(nextMove(through('a', 'b', 'c')), {kind: 'step', stepId: 'd'});
});

test('a branch on a finding jumps forward; the steps jumped over become skipped', () => {
	const afterB = runStep(through('a'), 'b', [{n: 3}]);
	assert.deepEqual(nextMove(afterB), {kind: 'step', stepId: 'd'});
	assert.equal(afterB.steps.c!.status, 'pending', 'nothing is skipped before the jump is taken');
	const atD = reduce(afterB, started('d'));
	assert.equal(atD.steps.c!.status, 'skipped');
	assert.equal(atD.steps.c!.skipReason, 'a branch went past it');
	assert.deepEqual(atD.visited, ['a', 'b', 'd']);
});

test('branch conditions are tried in order and atLeast sets the floor', () => {
	// a.down is critical: the first branch (causes) wins.
	const down = runStep(fresh(), 'a', [{failure: 'refused'}]);
	assert.equal(nextMove(down).kind, 'choose-fix');
	// A step error matches the status branch.
	const broken = runStep(fresh(), 'a', [], {error: {message: 'boom'}});
	assert.equal(broken.steps.a!.status, 'error');
	assert.deepEqual(nextMove(broken), {kind: 'end'});
});

test('a branch to causes recommends the fix of the top cause when it is likely', () => {
	const down = runStep(fresh(), 'a', [{failure: 'refused'}]);
	assert.deepEqual(nextMove(down), {kind: 'choose-fix', recommended: 'fix-x', options: ['fix-x', 'fix-y']});
});

test('a branch to a fix moves to that fix', () => {
	const s = runStep(through('a', 'b'), 'c', [{n: 1}]);
	assert.deepEqual(nextMove(s), {kind: 'fix', fixId: 'fix-x'});
});

test('after the last step: choose-fix, with no recommendation when the top cause is unlikely', () => {
	const s = through('a', 'b', 'c', 'd');
	assert.deepEqual(nextMove(s), {kind: 'choose-fix', recommended: undefined, options: ['fix-x', 'fix-y']});
});

test('a possible top cause is recommended; the options follow the ranking', () => {
	// c.bad at warning: cause-x scores 0.6 × 0.6 = 0.36, possible.
	const possible = runStep(runStep(through('a'), 'b', [{n: 0}]), 'c', [{n: 1}]);
	assert.deepEqual(chooseFix(possible), {kind: 'choose-fix', recommended: 'fix-x', options: ['fix-x', 'fix-y']});
	// b.hot at warning: cause-y scores 0.3 × 0.6 = 0.18, unlikely, but it ranks first.
	const unlikely = runStep(runStep(through('a'), 'b', [{n: 1}]), 'd');
	assert.deepEqual(nextMove(unlikely), {kind: 'choose-fix', recommended: undefined, options: ['fix-y', 'fix-x']});
});

test('once a fix is chosen: its follow-ups in order, each the move while it runs, then the end', () => {
	let s = runStep(fresh(), 'a', [{failure: 'refused'}]);
	s = reduce(s, {type: 'fix-chosen', at: at(), fixId: 'fix-x', by: 'auto'});
	assert.deepEqual(nextMove(s), {kind: 'step', stepId: 'fix-x/q1'});
	s = reduce(s, started('fix-x/q1'));
	assert.deepEqual(nextMove(s), {kind: 'step', stepId: 'fix-x/q1'});
	s = runStep(s, 'fix-x/q1');
	assert.deepEqual(nextMove(s), {kind: 'step', stepId: 'fix-x/q2'});
	s = runStep(s, 'fix-x/q2');
	assert.equal(s.steps['fix-x/q2']!.status, 'manual');
	assert.deepEqual(nextMove(s), {kind: 'end'});
	assert.deepEqual(s.visited, ['a'], 'follow-ups are not main steps');
});

test('run-finished marks unreached steps and the chosen fix’s follow-ups skipped, and ends the run', () => {
	let s = runStep(fresh(), 'a', [{failure: 'refused'}]);
	s = reduce(s, {type: 'fix-chosen', at: at(), fixId: 'fix-x', by: 'operator'});
	s = reduce(s, {type: 'run-finished', at: at()});
	for (const id of ['b', 'c', 'd', 'fix-x/q1', 'fix-x/q2']) {
		assert.equal(s.steps[id]!.status, 'skipped', id);
		assert.equal(s.steps[id]!.skipReason, 'not reached on the path the run took');
	}
	assert.equal(s.steps['fix-y/q1']!.status, 'pending', 'the follow-ups of a fix not chosen are not part of the run');
	assert.equal(s.steps.a!.status, 'critical');
	assert.deepEqual(nextMove(s), {kind: 'end'});
});

test('re-running an earlier step does not move the position', () => {
	let s = through('a', 'b', 'c');
	s = reduce(s, started('a'));
	assert.deepEqual(nextMove(s), {kind: 'step', stepId: 'd'});
	s = runStep(s, 'a');
	assert.deepEqual(s.visited, ['a', 'b', 'c']);
	assert.deepEqual(nextMove(s), {kind: 'step', stepId: 'd'});
});

test('running a step a branch skipped does not move the position back to it', () => {
	let s = runStep(through('a'), 'b', [{n: 1}]);
	s = runStep(s, 'd');
	assert.equal(s.steps.c!.status, 'skipped');
	// The operator goes back to c anyway; its branch to fix-x is not taken, the run is past it.
	s = runStep(s, 'c', [{n: 1}]);
	assert.equal(s.steps.c!.status, 'warning');
	assert.deepEqual(s.visited, ['a', 'b', 'd', 'c']);
	assert.equal(nextMove(s).kind, 'choose-fix');
	assert.equal(s.steps.d!.status, 'ok', 'running c did not skip anything');
});
