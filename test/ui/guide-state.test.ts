import {test} from 'node:test';
import assert from 'node:assert/strict';
import {guideReducer, type GuideState} from '../../source/ui/use-guide-state.ts';

/* The screen follows the session: a step that starts takes the panel. */

test('a step that starts: its panel, from the top; a follow-up re-run keeps the fix view where it was scrolled', () => {
	const onStep: GuideState = {view: 'step', focus: 'connect', scroll: 4, message: {text: 'Nothing was run.', severity: 'info'}, list: 0, input: ''};
	assert.deepEqual(guideReducer(onStep, {type: 'follow', stepId: 'idle-tx', main: true}), {view: 'step', focus: 'idle-tx', scroll: 0, cursor: undefined, message: undefined, list: 0, input: ''});
	assert.equal(guideReducer(onStep, {type: 'follow', stepId: 'connect', main: true}).scroll, 4, 'the same step again: same place');
	assert.deepEqual(guideReducer(onStep, {type: 'follow', stepId: 'fix/first', main: false}), {view: 'fix', focus: 'fix/first', scroll: 0, cursor: undefined, message: undefined, list: 0, input: ''});

	const scrolledFix: GuideState = {view: 'fix', focus: 'fix/second', scroll: 30, list: 0, input: ''};
	assert.deepEqual(guideReducer(scrolledFix, {type: 'follow', stepId: 'fix/first', main: false}), {view: 'fix', focus: 'fix/first', scroll: 30, cursor: undefined, message: undefined, list: 0, input: ''});
});

test('the log input of a step closes when the step starts on the log it named; other overlays stay', () => {
	const typing: GuideState = {view: 'step', focus: 'server-logs', scroll: 0, overlay: 'log-path', log: {stepId: 'server-logs'}, list: 0, input: '/var/log/denokv.log'};
	const started = guideReducer(typing, {type: 'follow', stepId: 'server-logs', main: true});
	assert.equal(started.overlay, undefined);
	assert.equal(started.log, undefined);
	assert.equal(started.input, '', 'and what was typed there');
	assert.equal(guideReducer({...typing, overlay: 'help', log: undefined}, {type: 'follow', stepId: 'server-logs', main: true}).overlay, 'help');
});
