import {test} from 'node:test';
import assert from 'node:assert/strict';
import {reduce} from '../../source/engine/reducer.ts';
import {glyphsFor} from '../../source/ui/glyphs.ts';
import {fixLines} from '../../source/ui/panel-lines.ts';
import {stepsOnScreen, targetStep} from '../../source/ui/use-guide-actions.ts';
import type {GuideState} from '../../source/ui/use-guide-state.ts';
import {at, makeRunbook, play, runStep, sqlStep} from '../engine/fixtures.ts';

/* Which step `r`, `t` and `n` act on in the fix view: the follow-up on screen,
 * not the one that happened to run last. */

const runbook = makeRunbook({
	steps: [sqlStep('check')],
	fixes: [
		{
			id: 'only-fix',
			title: 'Only fix',
			summary: 'do it',
			actions: ['act'],
			queries: [
				{id: 'first', title: 'First follow-up', why: 'Shows whether the first thing cleared.', query: 'select 1 as n'},
				{id: 'second', title: 'Second follow-up', why: 'Shows whether the second thing cleared.', query: 'select 2 as n'},
			],
		},
	],
});

let run = runStep(play(runbook, []), 'check');
run = reduce(run, {type: 'fix-chosen', at: at(), fixId: 'only-fix', by: 'operator'});
run = runStep(runStep(run, 'only-fix/first', [{n: 1}]), 'only-fix/second', [{n: 2}]);
const fix = runbook.fixes[0]!;
const lines = fixLines(fix, run, undefined, 60, glyphsFor({LANG: 'C.UTF-8'}));
const keys = lines.map(l => l.key);
const row = (key: string) => keys.indexOf(key);
// As the follow-ups leave it: the last one run has the focus.
const guide: GuideState = {view: 'fix', focus: 'only-fix/second', scroll: 0, list: 0, input: ''};
const onScreen = (top: number, height: number) => stepsOnScreen(keys.slice(top, top + height));

test('the fix view: r acts on the follow-up on screen, its title first; none on screen, the one last run', () => {
	const first = row('only-fix/first:title');
	const second = row('only-fix/second:title');
	assert.ok(first > 0 && second > first + 2, `the fix's own lines, then each follow-up:\n${keys.join('\n')}`);

	// The top of the fix view, down to the first follow-up's title: that one, though the second ran last.
	assert.equal(targetStep(run, guide, onScreen(0, first + 1)), 'only-fix/first');
	// Scrolled to the second.
	assert.equal(targetStep(run, guide, onScreen(second, 3)), 'only-fix/second');
	// The end of the first and the title of the second: the one whose title shows.
	assert.equal(targetStep(run, guide, onScreen(second - 1, 3)), 'only-fix/second');
	// Inside the first, no title in sight.
	assert.equal(targetStep(run, guide, onScreen(first + 1, 1)), 'only-fix/first');
	// Only the fix's own text: the one last run.
	assert.equal(targetStep(run, guide, onScreen(0, 2)), 'only-fix/second');
	assert.equal(targetStep(run, guide), 'only-fix/second');
});

test('outside the fix view the step shown is the target, whatever else is on screen', () => {
	assert.equal(targetStep(run, {view: 'step', focus: 'check', scroll: 0, list: 0, input: ''}, ['only-fix/first']), 'check');
	assert.equal(targetStep(run, {view: 'step', scroll: 0, list: 0, input: ''}), 'check', 'no focus: the step last started');
});
