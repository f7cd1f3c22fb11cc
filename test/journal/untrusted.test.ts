import {test} from 'node:test';
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {openJournal, reopenJournal} from '../../source/journal/write.ts';
import {readJournal} from '../../source/journal/read.ts';
import {replayJournal} from '../../source/journal/replay.ts';
import {listSessions} from '../../source/journal/sessions.ts';
import {JournalError} from '../../source/journal/header.ts';
import {JournalLockedError, lockJournal, lockPathOf} from '../../source/journal/lock.ts';
import {renderReport} from '../../source/report/render.ts';
import {runbookPath, smallRunbookText, target} from '../report/fixtures.ts';
import {craftedJournal} from './crafted.ts';

/* Issue 14, item 4: a journal is input anyone who could write the file may
 * have crafted. Escaped before it reaches a terminal or a report; no path
 * to write and no target taken from it; regular files only, capped; kept in
 * a directory of the user's own; one session at a time. */

const tempDir = () => mkdtempSync(path.join(os.tmpdir(), 'pg500-untrusted-'));
const bundle = path.resolve(import.meta.dirname, '../../dist/pg500.mjs');
const raw = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/;
test('everything read from a journal is escaped: report in every format, on the terminal too', () => {
	const file = craftedJournal(tempDir());
	const state = replayJournal(readJournal(file));
	for (const format of ['markdown', 'json', 'html'] as const) assert.doesNotMatch(renderReport(state, format), raw, format);
	const cli = spawnSync(process.execPath, [bundle, 'report', file], {encoding: 'utf8'});
	assert.equal(cli.status, 0, cli.stderr);
	assert.doesNotMatch(cli.stdout + cli.stderr, raw);
	assert.match(cli.stdout, /\\+x1b\\*\]0;pwned/, 'shown, escaped');
	// The SQL a step ran keeps its line breaks (and tabs, which it has none of here), nothing else.
	assert.equal(replayJournal(readJournal(file)).steps['connect']!.query, 'select 1\n-- \\x1b]0;pwned\\x07\\x1b[2J');
});

test('the state directory must be the user\'s own: a symbolic link, another owner or loose permissions are one line', () => {
	const base = tempDir();
	const real = path.join(base, 'elsewhere');
	mkdirSync(real, {mode: 0o700});
	const link = path.join(base, 'pg500');
	symlinkSync(real, link);
	const spec = {dir: link, runbookPath, runbookText: smallRunbookText, target, options: {}};
	assert.throws(() => openJournal(spec), (e: unknown) => e instanceof JournalError && /symbolic link/.test(e.message) && !e.message.includes('\n'));
	assert.throws(() => listSessions(link), /symbolic link/);

	const loose = path.join(base, 'loose');
	mkdirSync(loose, {mode: 0o700});
	chmodSync(loose, 0o777);
	assert.throws(() => openJournal({...spec, dir: loose}), /others may read or write it \(mode 777\); chmod 700/);

	if (process.getuid?.() === 0) {
		const foreign = path.join(base, 'foreign');
		mkdirSync(foreign, {mode: 0o700});
		chownSync(foreign, 65534, 65534);
		assert.throws(() => openJournal({...spec, dir: foreign}), /belongs to uid 65534, not to you/);
	}
	// A fresh directory is made 0700 and used.
	const fresh = path.join(base, 'fresh', 'pg500');
	openJournal({...spec, dir: fresh}).close();
	assert.equal(listSessions(fresh).length, 1);
});

test('one session at a time: the lock says who holds it; a lock left by a dead process is taken over', () => {
	const dir = tempDir();
	const journal = openJournal({dir, runbookPath, runbookText: smallRunbookText, target, options: {}});
	const holder = JSON.parse(readFileSync(lockPathOf(journal.path), 'utf8')) as {pid: number; host: string; since: string};
	assert.deepEqual({pid: holder.pid, host: holder.host}, {pid: process.pid, host: os.hostname()});
	assert.throws(
		() => reopenJournal(journal.path),
		(e: unknown) => e instanceof JournalLockedError && e.message.includes(`in use by pg500 pid ${process.pid} on ${os.hostname()} since ${holder.since}`),
	);
	journal.close();
	assert.equal(existsSync(lockPathOf(journal.path)), false, 'released on close');

	// kill -9: the lock stays behind, naming a process that is gone.
	const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {encoding: 'utf8'});
	writeFileSync(lockPathOf(journal.path), JSON.stringify({pid: Number(dead.stdout), host: os.hostname(), since: '2024-05-01T03:00:00.000Z'}));
	const resumed = reopenJournal(journal.path);
	resumed.close();
	// Another host's lock cannot be judged from here: it holds.
	writeFileSync(lockPathOf(journal.path), JSON.stringify({pid: 1, host: 'bastion-2', since: '2024-05-01T03:00:00.000Z'}));
	assert.throws(() => lockJournal(journal.path), /in use by pg500 pid 1 on bastion-2 since 2024-05-01T03:00:00.000Z; if that session is gone, remove/);
});
