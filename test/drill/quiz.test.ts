import {test} from 'node:test';
import assert from 'node:assert/strict';
import {quizChoices, revealQuiz, startQuiz} from '../../source/drill/quiz.ts';
import {findScenario, scenarios} from '../../source/drill/scenarios.ts';
import {reduce} from '../../source/engine/reducer.ts';
import {makeRunbook, play, runStep, sqlStep} from '../engine/fixtures.ts';

const runbook = makeRunbook({
	steps: [
		sqlStep('locks', {rules: [{id: 'waiting', message: '{waiting} sessions wait on a lock', critical: {column: 'waiting', gte: 5}}]}),
		sqlStep('schema'),
		{id: 'next-steps', title: 'Next steps', why: 'w', kind: 'manual', instructions: ['do']},
	],
	causes: [{id: 'deadlocks', title: 'Deadlocks', symptom: 's', check: 'c', fix: 'only-fix', evidence: [{finding: 'locks.waiting', weight: 1}]}],
});

const lockChain = findScenario('lock-chain')!;

function walkedLocksOnly() {
	return runStep(play(runbook, []), 'locks', [{waiting: 6}]);
}

test('the pick covers every scenario and depends only on the random number', () => {
	const picked = scenarios.map((_, i) => startQuiz(() => (i + 0.5) / scenarios.length).scenario.id);
	assert.deepEqual(picked, scenarios.map(s => s.id));
	assert.equal(startQuiz(() => 0.999999).scenario.id, scenarios.at(-1)!.id);
});

test('the hook the TUI gets does not carry the scenario', () => {
	const {hook} = startQuiz(() => 0.5);
	const shown = JSON.stringify(hook);
	for (const s of scenarios) assert.ok(!shown.includes(s.summary), `${s.id} visible in ${shown}`);
	assert.deepEqual(JSON.parse(shown).choices, quizChoices);
	assert.deepEqual(Object.keys(hook).sort(), ['choices', 'reveal']);
});

test('a right answer: the evidence that pointed to it, and nothing key skipped', () => {
	const reveal = revealQuiz(lockChain, walkedLocksOnly(), 'deadlocks', '2026-01-01T04:00:00.000Z');
	assert.equal(reveal.correct, true);
	assert.equal(reveal.expected, 'deadlocks');
	assert.deepEqual(reveal.evidence, ['locks: 6 sessions wait on a lock']);
	assert.deepEqual(reveal.missedKeySteps, []);
	assert.deepEqual(reveal.skipped, ['schema', 'next-steps']);
	assert.match(reveal.text, /correct/);
	assert.match(reveal.text, /The drill was lock-chain/);
});

test('a wrong answer names the right one and the key step the trainee skipped', () => {
	const state = runStep(play(runbook, []), 'schema', []);
	const reveal = revealQuiz(lockChain, state, 'schema');
	assert.equal(reveal.correct, false);
	assert.match(reveal.text, /not it; the answer was "lock waits or deadlocks"/);
	assert.deepEqual(reveal.missedKeySteps, ['locks']);
	assert.match(reveal.text, /Skipped where it shows: locks/);
});

test('the result goes into the report as a note, after the trainee’s own', () => {
	let state = walkedLocksOnly();
	state = reduce(state, {type: 'note-set', at: '2026-01-01T04:00:00.000Z', stepId: 'next-steps', text: 'my own note'});
	const reveal = revealQuiz(lockChain, state, 'deadlocks');
	const after = reduce(state, reveal.event);
	assert.equal(after.steps['next-steps']!.note, `my own note\n\n${reveal.text}`);
	assert.equal(after.steps['next-steps']!.noteAt, reveal.event.at);
});

test('healthy: "nothing is wrong" is the answer and no evidence is the lesson', () => {
	const reveal = revealQuiz(findScenario('healthy')!, runStep(play(runbook, []), 'locks', [{waiting: 0}]), 'none');
	assert.equal(reveal.correct, true);
	assert.deepEqual(reveal.evidence, []);
	assert.match(reveal.text, /what normal looks like/);
});
