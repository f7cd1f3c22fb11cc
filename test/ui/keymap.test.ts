import {test} from 'node:test';
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {keyTable, readmeFile, readmeWithKeyTable} from '../../scripts/write-key-table.ts';
import {parseKeys} from '../../source/ui/key-input.ts';
import {keymap, type KeyContext} from '../../source/ui/keymap.ts';
import {createKeyQueue} from '../../source/ui/use-guide-keys.ts';
import type {Screen} from '../../source/ui/screen.ts';
import {guideReducer, type GuideAction, type GuideState} from '../../source/ui/use-guide-state.ts';

/* One keymap drives the handler, the footer, `?` and the README. */

test('the README’s key table is the keymap’s (else: npm run keys)', () => {
	const readme = readFileSync(readmeFile, 'utf8');
	assert.equal(readme, readmeWithKeyTable(readme));
	assert.ok(readme.includes(keyTable()));
});

test('no key does two things in one mode', () => {
	const seen = new Map<string, number>();
	keymap.forEach((b, i) => {
		for (const mode of b.modes)
			for (const key of b.keys) {
				const other = seen.get(`${mode} ${key}`);
				// A binding that applies only sometimes (`when`) may leave the key to a later one.
				assert.ok(other === undefined || keymap[other]!.when, `${key} in ${mode}: bindings ${other} and ${i}`);
				seen.set(`${mode} ${key}`, i);
			}
	});
});

/** A guide whose keys only move things on screen, and a step that runs until told to finish. */
function harness(list = 0) {
	let guide: GuideState = {view: 'causes', scroll: 0, list, input: ''};
	let running: string | undefined;
	const calls: string[] = [];
	const screen = {entries: [], list: {kind: 'fix', title: '', items: [1, 2, 3, 4, 5].map(i => ({value: `fix-${i}`, label: `${i}`})), height: 6}, maxScroll: 0, page: 1, linesHeight: 10} as unknown as Screen;
	const dispatch = (action: GuideAction) => (guide = guideReducer(guide, action));
	const context = (): KeyContext => ({run: {} as KeyContext['run'], running, guide, screen, extras: {logInput: false, quiz: false}});
	const actions = {
		chooseFix: (id: string) => {
			calls.push(`choose ${id}`);
			running = id;
		},
		interrupt: () => calls.push('interrupt'),
		show: (view: GuideState['view']) => dispatch({type: 'show', view}),
	} as unknown as Parameters<typeof createKeyQueue>[0]['effects']['actions'];
	const queue = createKeyQueue({context, effects: {actions, dispatch}});
	return {
		queue,
		calls,
		guide: () => guide,
		finish: () => {
			running = undefined;
		},
	};
}

test('Down Down Down in one read moves the list three items; Enter picks the one reached', () => {
	const h = harness();
	for (const key of parseKeys('\u001b[B\u001b[B\u001b[B\r')) h.queue.push(key);
	assert.equal(h.guide().list, 3);
	assert.deepEqual(h.calls, ['choose fix-4']);
});

test('a key that would start a step while one runs waits, and every key after it; Ctrl-C does not wait', async () => {
	const h = harness();
	for (const key of parseKeys('\r\r\u001b\u0003')) h.queue.push(key);
	assert.deepEqual(h.calls, ['choose fix-1', 'interrupt'], 'the first Enter at once, Ctrl-C at once');
	assert.equal(h.queue.pending, 2, 'the second Enter waits, and Esc behind it');
	assert.equal(h.guide().view, 'causes');
	h.finish();
	h.queue.wake();
	await new Promise(resolve => setImmediate(resolve));
	assert.deepEqual(h.calls, ['choose fix-1', 'interrupt', 'choose fix-1']);
	assert.equal(h.guide().view, 'step', 'then Esc: back to the steps');
	assert.equal(h.queue.pending, 0);
});
