import {test} from 'node:test';
import assert from 'node:assert/strict';
import {rankCauses, likelihoodOf, likelyFrom, possibleFrom} from '../../source/engine/causes.ts';
import type {Finding, Severity} from '../../source/engine/types.ts';
import {makeRunbook, sqlStep} from './fixtures.ts';

const rule = (id: string) => ({id, message: id, warning: {column: 'x', gt: 0}});
const runbook = makeRunbook({
	steps: [sqlStep('a', {rules: [rule('weak1'), rule('weak2'), rule('weak3'), rule('strong')]}), sqlStep('b', {rules: [rule('other')]})],
	causes: [
		{id: 'many-weak', title: 'Many weak', symptom: 's', check: 'c', fix: 'fix-weak', evidence: [
			{finding: 'a.weak1', weight: 0.3},
			{finding: 'a.weak2', weight: 0.3},
			{finding: 'a.weak3', weight: 0.3},
		]},
		{id: 'one-strong', title: 'One strong', symptom: 's', check: 'c', fix: 'fix-strong', evidence: [{finding: 'a.strong', weight: 0.9}]},
		{id: 'tie-first', title: 'Tie first', symptom: 's', check: 'c', fix: 'fix-weak', evidence: [{finding: 'b.other', weight: 0.5}]},
		{id: 'tie-second', title: 'Tie second', symptom: 's', check: 'c', fix: 'fix-strong', evidence: [{finding: 'b.other', weight: 0.5}]},
		{id: 'no-evidence', title: 'Nothing points here', symptom: 's', check: 'c', fix: 'fix-strong'},
	],
	fixes: [
		{id: 'fix-weak', title: 'Fix weak', summary: 'the weak fix', actions: ['x']},
		{id: 'fix-strong', title: 'Fix strong', summary: 'the strong fix', actions: ['x']},
	],
});

const finding = (ref: string, severity: Severity, message = `${ref} ${severity}`): Finding => {
	const [stepId, ruleId] = ref.split('.') as [string, string];
	return {stepId, ruleId, ref, severity, message, evidence: {}};
};
const byId = (findings: Finding[]) => new Map(rankCauses(runbook, findings).map(c => [c.id, c]));

test('with no findings every cause is present, unlikely, scored 0, in runbook order', () => {
	const ranked = rankCauses(runbook, []);
	assert.deepEqual(ranked.map(c => c.id), ['many-weak', 'one-strong', 'tie-first', 'tie-second', 'no-evidence']);
	for (const c of ranked) {
		assert.equal(c.likelihood, 'unlikely');
		assert.equal(c.score, 0);
		assert.deepEqual(c.evidence, []);
	}
	assert.equal(ranked[0]!.fix, 'the weak fix');
	assert.equal(ranked[0]!.fixId, 'fix-weak');
});

test('one critical finding at weight 0.9 outranks three critical findings at 0.3', () => {
	const ranked = rankCauses(runbook, [
		finding('a.weak1', 'critical'),
		finding('a.weak2', 'critical'),
		finding('a.weak3', 'critical'),
		finding('a.strong', 'critical'),
	]);
	// 1 − 0.7³ = 0.657 against 0.9.
	assert.deepEqual(ranked.slice(0, 2).map(c => [c.id, c.score, c.likelihood]), [
		['one-strong', 0.9, 'likely'],
		['many-weak', 0.66, 'likely'],
	]);
});

test('several weak signals add up past one of them, but never past 1', () => {
	const one = byId([finding('a.weak1', 'critical')]).get('many-weak')!;
	const three = byId([finding('a.weak1', 'critical'), finding('a.weak2', 'critical'), finding('a.weak3', 'critical')]).get('many-weak')!;
	assert.equal(one.score, 0.3);
	assert.equal(one.likelihood, 'possible');
	assert.ok(three.score > one.score);
	assert.ok(three.score < 1);
});

test('severity scales the weight: critical 1, warning 0.6, info 0.25', () => {
	assert.equal(byId([finding('a.strong', 'critical')]).get('one-strong')!.score, 0.9);
	assert.equal(byId([finding('a.strong', 'warning')]).get('one-strong')!.score, 0.54);
	// 0.225, rounded to two decimals for the report.
	assert.ok([0.22, 0.23].includes(byId([finding('a.strong', 'info')]).get('one-strong')!.score));
});

test('many rows of one rule are one signal: six warnings do not outweigh what one critical says', () => {
	const sixWarnings = Array.from({length: 6}, (_, i) => finding('a.weak1', 'warning', `row ${i}`));
	const many = byId(sixWarnings).get('many-weak')!;
	assert.equal(many.score, 0.18);
	assert.equal(many.likelihood, 'unlikely');
	assert.equal(many.evidence.length, 6, 'every finding is still listed as evidence');
});

test('likelihood boundaries', () => {
	assert.equal(likelihoodOf(likelyFrom), 'likely');
	assert.equal(likelihoodOf(likelyFrom - 0.01), 'possible');
	assert.equal(likelihoodOf(possibleFrom), 'possible');
	assert.equal(likelihoodOf(possibleFrom - 0.01), 'unlikely');
	assert.equal(likelihoodOf(0), 'unlikely');
	assert.equal(likelihoodOf(1), 'likely');
	// Through the ranking: 0.5 × critical is exactly likely; 0.5 × warning is 0.3, possible.
	assert.equal(byId([finding('b.other', 'critical')]).get('tie-first')!.likelihood, 'likely');
	assert.equal(byId([finding('b.other', 'warning')]).get('tie-first')!.likelihood, 'possible');
	assert.equal(byId([finding('b.other', 'info')]).get('tie-first')!.likelihood, 'unlikely');
});

test('ties keep the runbook order', () => {
	const ranked = rankCauses(runbook, [finding('b.other', 'warning')]);
	assert.deepEqual(ranked.slice(0, 2).map(c => c.id), ['tie-first', 'tie-second']);
	assert.equal(ranked[0]!.score, ranked[1]!.score);
});

test('evidence lines are "step id: message", strongest first, without repeats', () => {
	const c = byId([
		finding('a.weak1', 'info', 'a little'),
		finding('a.weak2', 'critical', 'a lot'),
		finding('a.weak3', 'warning', 'some'),
		finding('a.weak3', 'warning', 'some'),
		finding('b.other', 'critical', 'elsewhere'),
	]).get('many-weak')!;
	assert.deepEqual(c.evidence, ['a: a lot', 'a: some', 'a: a little']);
});
