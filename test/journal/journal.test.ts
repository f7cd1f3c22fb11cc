import {test} from 'node:test';
import assert from 'node:assert/strict';
import {appendFileSync, mkdtempSync, readFileSync, readdirSync, statSync, truncateSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {openJournal, reopenJournal} from '../../source/journal/write.ts';
import {readJournal} from '../../source/journal/read.ts';
import {replayJournal, interruptedStep} from '../../source/journal/replay.ts';
import {listSessions} from '../../source/journal/sessions.ts';
import {journalDir} from '../../source/journal/location.ts';
import {JournalError} from '../../source/journal/header.ts';
import {reduce} from '../../source/engine/reducer.ts';
import type {RunEvent} from '../../source/engine/types.ts';
import {renderReport} from '../../source/report/render.ts';
import {interruptedEvents, poolExhaustionEvents, replay, runbookPath, secret, smallRunbookText, target} from '../report/fixtures.ts';

const tempDir = () => mkdtempSync(path.join(os.tmpdir(), 'pg500-journal-'));

function newJournal(dir: string, startedAt = '2024-05-01T03:00:00.000Z') {
	return openJournal({
		dir,
		runbookPath,
		runbookText: smallRunbookText,
		target,
		options: {url: `postgres://app:${secret}@db.internal/denokv`, statementTimeout: 5000, format: 'markdown', color: true},
		startedAt,
	});
}

test('the journal lives in $XDG_STATE_HOME/pg500, else ~/.local/state/pg500', () => {
	assert.equal(journalDir({XDG_STATE_HOME: '/var/state'}), '/var/state/pg500');
	assert.equal(journalDir({}), path.join(os.homedir(), '.local', 'state', 'pg500'));
	assert.equal(journalDir({XDG_STATE_HOME: 'relative'}), path.join(os.homedir(), '.local', 'state', 'pg500'), 'a relative XDG path is ignored, as the spec says');
});

test('append, read and replay give the live state; dir 0700, file 0600, named by start time', () => {
	const dir = path.join(tempDir(), 'pg500');
	const journal = newJournal(dir);
	let live = replay([]);
	for (const event of poolExhaustionEvents()) {
		live = reduce(live, event);
		journal.append(event, {flush: event.type === 'note-set' || event.type === 'fix-chosen'});
	}
	journal.close();
	assert.equal(statSync(dir).mode & 0o777, 0o700);
	assert.equal(statSync(journal.path).mode & 0o777, 0o600);
	assert.match(path.basename(journal.path), /^2024-05-01T03-00-00Z-[0-9a-f]{6}\.jsonl$/);

	const read = readJournal(journal.path);
	assert.equal(read.truncatedLastLine, false);
	assert.equal(read.header.runbookText, smallRunbookText);
	assert.equal(read.events.length, poolExhaustionEvents().length);
	// The event that carried a password in a log sample and a note is the one thing that differs.
	// (Through JSON on both sides: the reducer leaves `error: undefined` keys that JSON drops.)
	assert.deepEqual(JSON.parse(JSON.stringify(replayJournal(read))), JSON.parse(JSON.stringify(live).replaceAll(secret, '***')));
	assert.equal(renderReport(replayJournal(read), 'json'), renderReport(live, 'json'));
});

test('no password is ever written into a journal', () => {
	const dir = tempDir();
	const journal = newJournal(dir);
	for (const event of poolExhaustionEvents()) journal.append(event);
	journal.close();
	const text = readFileSync(journal.path, 'utf8');
	assert.ok(!text.includes(secret));
	const {header} = readJournal(journal.path);
	// The URL keeps user and host for resume; the password is asked for again (or read from ~/.pgpass).
	assert.equal(header.options['url'], 'postgres://app@db.internal/denokv');
	assert.equal(header.options['statementTimeout'], 5000);
});

test('the runbook travels in the journal: replay works after the file changed or vanished', () => {
	const dir = tempDir();
	const journal = newJournal(dir);
	for (const event of interruptedEvents()) journal.append(event);
	journal.close();
	const state = replayJournal(readJournal(journal.path));
	assert.equal(state.runbook.path, runbookPath);
	assert.equal(state.runbook.title, 'Small 500 runbook');
});

test('a last line cut off mid-write keeps everything before it, reports it, and resume appends cleanly', () => {
	const dir = tempDir();
	const journal = newJournal(dir);
	const events = poolExhaustionEvents();
	for (const event of events) journal.append(event);
	journal.close();
	const size = statSync(journal.path).size;
	truncateSync(journal.path, size - 20);

	const read = readJournal(journal.path);
	assert.equal(read.truncatedLastLine, true);
	assert.deepEqual(read.events, JSON.parse(JSON.stringify(events.slice(0, -1)).replaceAll(secret, '***')));
	assert.equal(replayJournal(read).finishedAt, undefined);

	const resumed = reopenJournal(journal.path);
	resumed.append({type: 'run-finished', at: '2024-05-01T03:05:00.000Z'}, {flush: true});
	resumed.close();
	const again = readJournal(journal.path);
	assert.equal(again.truncatedLastLine, false);
	assert.equal(again.events.length, events.length);
	assert.equal(replayJournal(again).finishedAt, '2024-05-01T03:05:00.000Z');
});

test('a missing file, a corrupt header or a newer version is a JournalError with one line; a damaged middle line ends the reading there', () => {
	const dir = tempDir();
	const missing = path.join(dir, 'nope.jsonl');
	assert.throws(() => readJournal(missing), (e: unknown) => e instanceof JournalError && e.message === `${missing}: cannot read journal: no such file`);

	const empty = path.join(dir, 'empty.jsonl');
	writeFileSync(empty, '');
	assert.throws(() => readJournal(empty), /not a pg500 journal \(empty file\)/);

	const notJson = path.join(dir, 'garbage.jsonl');
	writeFileSync(notJson, '{"type":"sess\n');
	assert.throws(() => readJournal(notJson), /not a pg500 journal \(line 1 is not a session header\)/);

	const journal = newJournal(dir);
	journal.append(poolExhaustionEvents()[0]!);
	journal.close();
	const good = readFileSync(journal.path, 'utf8');
	const middle = path.join(dir, 'middle.jsonl');
	writeFileSync(middle, `${good}not json\n${JSON.stringify(poolExhaustionEvents()[1])}\n`);
	// What came before the damage is never lost: the journal reads up to it, and says where it stopped.
	const damaged = readJournal(middle);
	assert.equal(damaged.damagedLine, 3);
	assert.equal(damaged.events.length, 1);

	const newer = path.join(dir, 'newer.jsonl');
	writeFileSync(newer, good.replace('"version":1', '"version":2'));
	assert.throws(() => readJournal(newer), /journal version 2 is not supported/);
	for (const file of [missing, empty, notJson, newer])
		assert.throws(() => readJournal(file), (e: unknown) => e instanceof JournalError && !e.message.includes('\n'));
});

test('interruptedStep names the step whose result never arrived', () => {
	assert.equal(interruptedStep(replay(interruptedEvents())), 'connections');
	assert.equal(interruptedStep(replay(poolExhaustionEvents())), undefined);
	const followUp = poolExhaustionEvents().slice(0, -3);
	assert.equal(interruptedStep(replay(followUp)), 'fix-pool/leaked-sessions');
});

test('listSessions: newest first, with target, verdict so far, progress and whether it finished', () => {
	const dir = tempDir();
	const older = newJournal(dir, '2024-05-01T01:00:00.000Z');
	for (const event of poolExhaustionEvents()) older.append(event);
	older.close();
	const newer = newJournal(dir, '2024-05-01T02:00:00.000Z');
	for (const event of interruptedEvents()) newer.append(event);
	newer.close();
	appendFileSync(path.join(dir, '2024-05-01T00-00-00Z-badbad.jsonl'), 'garbage\n');

	const sessions = listSessions(dir);
	assert.deepEqual(
		sessions.map(s => [path.basename(s.path).slice(0, 20), s.finished, s.verdict, s.stepsDone, s.stepsTotal, s.interruptedStep ?? null, s.problem === undefined]),
		[
			['2024-05-01T02-00-00Z', false, 'critical', 2, 4, 'connections', true],
			['2024-05-01T01-00-00Z', true, 'critical', 4, 4, null, true],
			['2024-05-01T00-00-00Z', false, 'unknown', 0, 0, null, false],
		],
	);
	assert.equal(sessions[0]!.target.host, 'db.internal');
	assert.equal(sessions[0]!.startedAt, '2024-05-01T02:00:00.000Z');
	assert.equal(sessions[2]!.startedAt, '2024-05-01T00:00:00Z');
	assert.deepEqual(listSessions(path.join(dir, 'none')), []);
	assert.equal(listSessions(dir, 1).length, 1);
	assert.equal(readdirSync(dir).length, 3);
});

test('listSessions and the picker: the drill, and how each session ended (quit, a signal, the terminal gone, or cut off)', async () => {
	const dir = tempDir();
	const make = (startedAt: string, options: Record<string, unknown>, tail: RunEvent[]) => {
		const j = openJournal({dir, runbookPath, runbookText: smallRunbookText, target, options, startedAt});
		for (const event of [...interruptedEvents(), ...tail]) j.append(event);
		j.close();
	};
	make('2024-05-01T01:00:00.000Z', {drill: 'lock-chain'}, [{type: 'session-ended', at: '2024-05-01T01:09:00.000Z', how: 'SIGHUP'}]);
	make('2024-05-01T02:00:00.000Z', {drill: 'quiz'}, []);
	make('2024-05-01T03:00:00.000Z', {}, [
		{type: 'session-ended', at: '2024-05-01T03:09:00.000Z', how: 'terminal-lost'},
		{type: 'session-resumed', at: '2024-05-01T05:00:00.000Z', gapMs: 6_660_000, after: 'terminal-lost'},
		{type: 'session-ended', at: '2024-05-01T05:01:00.000Z', how: 'quit'},
	]);
	const sessions = listSessions(dir);
	assert.deepEqual(
		sessions.map(s => [s.drill ?? null, s.ending]),
		[
			[null, 'quit'],
			['quiz', 'cut off'],
			['lock-chain', 'SIGHUP'],
		],
	);
	const {describeSession} = await import('../../source/ui/session-picker.tsx');
	assert.deepEqual(describeSession(sessions[2]!), ['2024-05-01 01:00  app@db.internal:5432/denokv', 'drill lock-chain, stopped in connections (2/4 steps), critical, ended: hang-up']);
	assert.match(describeSession(sessions[1]!)[1], /^drill: quiz, .*, ended: cut off$/, 'a quiz keeps its drill hidden');
	const state = replayJournal(readJournal(sessions[0]!.path));
	assert.deepEqual(
		state.sessions.map(part => part.endedBy),
		['terminal-lost', 'quit'],
		'two parts: the first ended when its terminal went away, the resumed one with q',
	);
});
