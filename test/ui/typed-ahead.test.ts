import {test} from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {bin, journalEvents, tmuxSkip, tmuxTestbed} from './tmux-support.ts';

/* Keys an operator types ahead over a slow SSH link arrive together, some
 * before the first frame: every one of them counts, in order. Sent with one
 * tmux send-keys each burst, to the built bin in an 80×24 pane. */

const skip = tmuxSkip;
const {tmux, alive, waitForPane, where} = tmuxTestbed('typed-ahead', {postgres: true});

test('Enter Enter Enter typed right after start, before the first frame: three steps run, one after another', {skip}, async () => {
	const db = await where.server.createDatabase();
	const journal = path.join(where.dir, 'enters.jsonl');
	tmux('new-session', '-d', '-s', 'enters', '-x', '80', '-y', '24', '-e', `DATABASE_URL=${where.server.url(db)}`, '-e', 'LANG=C.UTF-8', '-e', `XDG_STATE_HOME=${where.dir}`, `exec node ${bin} --runbook ${where.runbook} --journal ${journal}`);
	tmux('send-keys', '-t', 'enters', 'Enter', 'Enter', 'Enter');
	const screen = await waitForPane('enters', s => s.includes('press t when done'), 'the third step, the manual one');
	assert.match(screen, /☐ 3\. Tell the team/);
	const finished = journalEvents(journal).filter(e => e.type === 'step-finished').map(e => e.stepId);
	assert.deepEqual(finished, ['connect', 'idle-tx', 'next-steps'], 'three steps, in order, each once');
	tmux('send-keys', '-t', 'enters', 'q');
	for (let i = 0; i < 400 && alive('enters'); i++) await new Promise(resolve => setTimeout(resolve, 25));
});

test('a note typed ahead in one burst (Enter, n, the text, Enter), then help and three scroll keys: all taken', {skip}, async () => {
	const db = await where.server.createDatabase();
	const journal = path.join(where.dir, 'note.jsonl');
	tmux('new-session', '-d', '-s', 'note', '-x', '80', '-y', '24', '-e', `DATABASE_URL=${where.server.url(db)}`, '-e', 'LANG=C.UTF-8', '-e', `XDG_STATE_HOME=${where.dir}`, `exec node ${bin} --runbook ${where.runbook} --journal ${journal}`);
	await waitForPane('note', s => s.includes('Enter run next: connect'), 'the first frame');
	tmux('send-keys', '-t', 'note', 'Enter', 'n', 'f', 'r', 'o', 'm', 'Space', 'b', 'a', 's', 't', 'i', 'o', 'n', 'Enter');
	await waitForPane('note', s => s.includes('Note: from bastion'), 'the note saved');
	assert.deepEqual(
		journalEvents(journal)
			.filter(e => e.type === 'note-set')
			.map(e => [e.stepId, e.text]),
		[['connect', 'from bastion']],
	);
	// The help scrolls: ? then j j j in one burst moves it three lines.
	tmux('send-keys', '-t', 'note', '?', 'j', 'j', 'j');
	await waitForPane('note', s => s.includes('close help') && /\b4-\d+\/\d+/.test(s), 'the help, three lines down');
	tmux('send-keys', '-t', 'note', 'Escape');
	await waitForPane('note', s => s.includes('Note: from bastion'), 'the help closed');
	tmux('send-keys', '-t', 'note', 'q');
	await waitForPane('note', s => s.includes('Notes are not in a report yet'), 'the question before quitting');
	tmux('send-keys', '-t', 'note', 'q');
	for (let i = 0; i < 400 && alive('note'); i++) await new Promise(resolve => setTimeout(resolve, 25));
});

test('the whole way to the fix in one burst: three steps, the causes, the recommended fix — five Enters, none lost', {skip}, async () => {
	const db = await where.server.createDatabase();
	// A leaked transaction: the runbook's cause, and its fix's follow-up to run.
	const leak = await where.server.connect(db);
	await leak.query('begin');
	await leak.query('select 1');
	const journal = path.join(where.dir, 'to-fix.jsonl');
	try {
		tmux('new-session', '-d', '-s', 'to-fix', '-x', '80', '-y', '24', '-e', `DATABASE_URL=${where.server.url(db)}`, '-e', 'LANG=C.UTF-8', '-e', `XDG_STATE_HOME=${where.dir}`, `exec node ${bin} --runbook ${where.runbook} --journal ${journal}`);
		await waitForPane('to-fix', s => s.includes('Enter run next: connect'), 'the first frame');
		// The fifth Enter arrives while the causes are still to be shown: it must choose the fix, not show them again.
		tmux('send-keys', '-t', 'to-fix', 'Enter', 'Enter', 'Enter', 'Enter', 'Enter');
		await waitForPane('to-fix', s => s.includes('Fix: End the leaked'), 'the fix', 30_000);
		const chosen = journalEvents(journal).filter(e => e.type === 'fix-chosen');
		assert.equal(chosen.length, 1, 'the fix chosen by the fifth Enter');
		tmux('send-keys', '-t', 'to-fix', 'q');
		for (let i = 0; i < 400 && alive('to-fix'); i++) await new Promise(resolve => setTimeout(resolve, 25));
	} finally {
		await leak.end();
	}
});
