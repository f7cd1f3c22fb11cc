import {test} from 'node:test';
import assert from 'node:assert/strict';
import {initialState} from '../../source/engine/reducer.ts';
import type {JournalHealth} from '../../source/journal/write.ts';
import {parseRunbook} from '../../source/runbook/parse.ts';
import {createSessionStore, type EventSink} from '../../source/session/store.ts';
import {journalBanner} from '../../source/ui/journal-banner.ts';
import {testRunbook} from '../ui/frames.ts';

/* The journal's health is the session's state: a face shows it from
 * getState() and is told when it changes, also when the journal's own retry
 * (not an event) ends it. The real journal on a real full disk is in
 * test/ui/journal-banner.test.tsx; this is the store's side of it. */

/** A sink that holds back every event while `full`, and says so as the journal writer does. */
function fillingSink() {
	let full = false;
	let waiting = 0;
	const listeners = new Set<(health: JournalHealth) => void>();
	const health = (): JournalHealth => (waiting === 0 ? {unsaved: 0} : {unsaved: waiting, problem: 'no space left on the device'});
	const tell = () => listeners.forEach(listener => listener(health()));
	const sink: EventSink = {
		append() {
			if (!full) return;
			waiting += 1;
			tell();
		},
		health,
		onHealth(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
	};
	return {
		sink,
		fill: () => (full = true),
		/** The retry that writes what waited, with no event to carry it. */
		free() {
			full = false;
			waiting = 0;
			tell();
		},
		listeners,
	};
}

test('the journal falling behind and catching up is in the state, with a change for the face; close lets go of the journal', () => {
	const disk = fillingSink();
	const store = createSessionStore(initialState(parseRunbook(testRunbook, 'ui.yaml')), disk.sink, error => assert.fail(String(error)));
	let changes = 0;
	store.subscribe(() => changes++);
	const at = new Date().toISOString();
	store.dispatch({type: 'note-set', at, stepId: 'connect', text: 'written'});
	assert.equal(store.getState().journalBacklog, undefined);

	disk.fill();
	store.dispatch({type: 'note-set', at, stepId: 'connect', text: 'kept in memory'});
	store.dispatch({type: 'manual-done', at, stepId: 'connect'});
	assert.deepEqual(store.getState().journalBacklog, {events: 2, problem: 'no space left on the device'});
	assert.equal(store.getState().run.steps['connect']!.note, 'kept in memory', 'the session goes on');
	assert.equal(journalBanner(store.getState().journalBacklog, '/tmp')?.text, 'Journal not saved: no space left on the device. e saves a report (to /tmp if need be); 2 events kept, retried');

	const before = changes;
	disk.free();
	assert.equal(store.getState().journalBacklog, undefined);
	assert.equal(changes, before + 1, 'the face is told without an event');
	assert.equal(journalBanner(store.getState().journalBacklog, '/tmp'), undefined);

	store.close();
	assert.equal(disk.listeners.size, 0);
});
