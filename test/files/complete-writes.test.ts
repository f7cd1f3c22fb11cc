import {test} from 'node:test';
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {existsSync, readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {nearlyFullDisk} from '../support/full-disk.ts';
import {openJournal} from '../../source/journal/write.ts';
import {readJournal} from '../../source/journal/read.ts';
import {poolExhaustionEvents, runbookPath, smallRunbookText, target} from '../report/fixtures.ts';

/* Issue 14, item 1: a nearly full disk. Every file pg500 writes is whole or
 * not there; the journal never keeps half a line, holds what it could not
 * write and writes it once there is room again. */

const root = path.resolve(import.meta.dirname, '../..');
const bundle = path.join(root, 'dist/pg500.mjs');
/** Nothing listens on port 1: a critical verdict (exit 2) with a full report. */
const unreachable = 'postgres://app@127.0.0.1:1/denokv?sslmode=disable';

test('run --output on a nearly full disk: exit 3 and one line, never a cut report with a verdict', () => {
	const disk = nearlyFullDisk(4 * 1024);
	try {
		for (const format of ['json', 'html', 'markdown']) {
			const output = path.join(disk.dir, `r.${format}`);
			const argv = disk.wrap([process.execPath, bundle, 'run', '--url', unreachable, '--format', format, '--output', output]);
			const r = spawnSync(argv[0]!, argv.slice(1), {encoding: 'utf8', env: {PATH: process.env.PATH, HOME: disk.dir}});
			assert.equal(r.status, 3, `${format} (${disk.how}): ${r.stderr}`);
			assert.match(r.stderr, new RegExp(`^pg500: cannot write the report to ${output.replace(/[.]/g, '\\.')}: (no space left on the device|file too large[^\\n]*)\\n$`));
			assert.equal(existsSync(output), false, 'no report at all rather than a cut one');
			assert.deepEqual(readdirSync(disk.dir), [], 'no temporary file left behind');
		}
	} finally {
		disk.cleanup();
	}
});

test('a journal on a disk that fills up: whole lines only, the events kept in memory and written once there is room', t => {
	const disk = nearlyFullDisk(32 * 1024);
	try {
		if (disk.how !== 'tmpfs') return t.skip('no tmpfs can be mounted here: the in-process journal needs a real full disk to free up');
		const journal = openJournal({dir: path.join(disk.dir, 'state'), runbookPath, runbookText: smallRunbookText, target, options: {}});
		const events = poolExhaustionEvents();
		const changes: number[] = [];
		journal.onHealth(h => changes.push(h.unsaved));
		// Note-sized events with a long text, until the disk refuses one.
		const note = (i: number) => ({type: 'note-set' as const, at: `2024-05-01T03:00:${String(i % 60).padStart(2, '0')}.000Z`, stepId: 'connections', text: `note ${i} ${'x'.repeat(900)}`});
		let i = 0;
		for (const event of events) journal.append(event);
		assert.deepEqual(journal.health(), {unsaved: 0});
		while (journal.health().unsaved === 0 && i < 200) journal.append(note(i++), {flush: true});
		assert.ok(i > 0 && i < 200, 'the disk filled up');
		assert.equal(journal.health().unsaved, 1);
		assert.equal(journal.health().problem, 'no space left on the device');
		journal.append(note(i++));
		assert.equal(journal.health().unsaved, 2, 'later events wait behind the first');

		// On disk meanwhile: whole lines only, readable, nothing cut.
		const meanwhile = readJournal(journal.path);
		assert.equal(meanwhile.truncatedLastLine, false);
		assert.equal(meanwhile.damagedLine, undefined);
		assert.equal(meanwhile.events.length, events.length + i - 2);

		// Space is freed: the next event carries the waiting ones to disk, in order.
		disk.free();
		journal.append(note(i++), {flush: true});
		assert.deepEqual(journal.health(), {unsaved: 0});
		assert.deepEqual(changes.at(-1), 0, 'the screen is told the journal is whole again');
		assert.deepEqual(journal.close(), {unsaved: 0});
		const after = readJournal(journal.path);
		assert.equal(after.damagedLine, undefined, 'no hole where the failed line was');
		assert.equal(after.events.length, events.length + i);
		const notes = after.events.filter(e => e.type === 'note-set' && e.text.startsWith('note ')).map(e => (e as {text: string}).text.split(' ')[1]);
		assert.deepEqual(notes, Array.from({length: i}, (_, k) => String(k)), 'every note, once, in order');
		assert.match(readFileSync(journal.path, 'utf8'), /\n$/);
	} finally {
		disk.cleanup();
	}
});
