import {test} from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {render} from 'ink-testing-library';
import {glyphsFor} from '../../source/ui/glyphs.ts';
import {Guide} from '../../source/ui/guide.tsx';
import {readJournal} from '../../source/journal/read.ts';
import {nearlyFullDisk} from '../support/full-disk.ts';
import {keys, press, waitForFrame} from './frames.ts';
import {guideSession} from './guide-session.ts';

/* Issue 14, item 1, on the screen: the journal's disk fills up mid-session.
 * The operator is told at once and told what to do; what they type is kept
 * and reaches the journal once there is room again. */

const runbookText = `
id: banner-test
title: Banner test
steps:
  - id: look
    title: Look around
    why: A manual step, so nothing here needs a database.
    kind: manual
    instructions: [Look.]
causes:
  - {id: c, title: C, symptom: s, check: look, fix: f}
fixes:
  - {id: f, title: F, summary: s, actions: [a]}
`;

test('a journal that cannot be written: a banner until it can, every note kept', async t => {
	const disk = nearlyFullDisk(16 * 1024);
	if (disk.how !== 'tmpfs') {
		disk.cleanup();
		return t.skip('no tmpfs can be mounted here');
	}
	const {executor, journal, session} = guideSession({runbookText, name: 'banner.yaml', url: 'postgres://app@127.0.0.1:1/kv?sslmode=disable', dir: path.join(disk.dir, 'state')});
	const ui = render(
		<Guide
			effects={{session, exit: () => {}, clipboard: () => {}}}
			glyphs={glyphsFor({LANG: 'C.UTF-8'})}
			color={false}
		/>,
	);
	let n = 0;
	try {
		await waitForFrame(ui.lastFrame, f => f.includes('Enter run next: look'), 'the first frame');
		ui.stdin.write(keys.enter);
		await waitForFrame(ui.lastFrame, f => f.includes('press t when done'), 'the manual step shown');
		const note = async (text: string) => {
			ui.stdin.write('n');
			await waitForFrame(ui.lastFrame, f => f.includes('Note on look:'), 'the note input');
			// The input holds the step's note so far (at most 2000 characters): cleared first (Ctrl-U).
			// It may take a moment to listen after it is drawn: press sends again until the screen changes.
			if (session.getState().run.steps['look']?.note) await press(ui, '\u0015', 'the input cleared');
			await press(ui, text, 'the typed note');
			await waitForFrame(ui.lastFrame, f => f.includes(text.slice(-12)), 'the typed note');
			ui.stdin.write(keys.enter);
			await waitForFrame(ui.lastFrame, f => !f.includes('Note on look:'), 'the note saved');
		};
		// Long notes until the disk takes no more.
		while (journal.health().unsaved === 0 && n < 40) await note(`${'x'.repeat(1500)} end ${n++}`);
		assert.ok(n < 40, 'the disk filled up');
		const banner = await waitForFrame(ui.lastFrame, f => f.includes('Journal not saved: no space left on the device'), 'the banner');
		assert.match(banner, /e saves a report/);

		disk.free();
		await note('after the space was freed');
		await waitForFrame(ui.lastFrame, f => !f.includes('Journal not saved'), 'the banner gone');
		assert.deepEqual(journal.health(), {unsaved: 0});
	} finally {
		ui.unmount();
		session.close();
		journal.close();
		await executor.close();
	}
	// Each note replaces the step's note with what the input held (the old text, then what was typed).
	const notes = readJournal(journal.path).events.filter(e => e.type === 'note-set').map(e => (e as {text: string}).text);
	assert.equal(notes.length, n + 1, 'every note reached the journal');
	for (let k = 0; k < n; k++) assert.ok(notes[k]!.endsWith(` end ${k}`));
	assert.ok(notes[n]!.endsWith('after the space was freed'));
	disk.cleanup();
});
