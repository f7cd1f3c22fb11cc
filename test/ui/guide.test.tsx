import './force-color.ts';
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {render} from 'ink-testing-library';
import type {RunEvent, RunState} from '../../source/engine/types.ts';
import {readJournal} from '../../source/journal/read.ts';
import {replayJournal} from '../../source/journal/replay.ts';
import {openJournal, reopenJournal, type JournalWriter} from '../../source/journal/write.ts';
import {parseRunbook} from '../../source/runbook/parse.ts';
import {glyphsFor} from '../../source/ui/glyphs.ts';
import {Guide} from '../../source/ui/guide.tsx';
import {startTestServer, type TestServer} from '../support/pg.ts';
import {keys, press, testRunbook, unstyled, waitForFrame} from './frames.ts';
import {guideSession} from './guide-session.ts';

let server: TestServer;
let dir: string;
before(async () => {
	server = await startTestServer();
	dir = await mkdtemp(path.join(os.tmpdir(), 'pg500-ui-'));
});
after(async () => {
	await server?.stop();
	await rm(dir, {recursive: true, force: true});
});

const utf8 = glyphsFor({LANG: 'C.UTF-8'});
const ascii = glyphsFor({LANG: 'C'});

/** A database with one session left idle in a transaction (the fault), and a guide session on it. */
async function session(options: {state?: (runbook: ReturnType<typeof parseRunbook>) => RunState; journal?: JournalWriter} = {}) {
	const db = await server.createDatabase();
	const leak = await server.connect(db);
	await leak.query("set application_name = 'leaky-app'");
	await leak.query('begin');
	await leak.query('select 1');
	const {executor, journal, session} = guideSession({runbookText: testRunbook, name: 'ui-test.yaml', url: server.url(db), dir, color: true, ...options});
	const exits: string[] = [];
	const copied: string[] = [];
	const effects = {session, exit: (reason: string) => void exits.push(reason), clipboard: (text: string) => void copied.push(text)};
	const close = async () => {
		journal.close();
		await executor.close();
		await leak.end();
	};
	return {effects, journal, exits, copied, close, session};
}

function resize(stdout: unknown, columns: number, rows: number) {
	Object.defineProperty(stdout, 'columns', {value: columns, configurable: true});
	Object.defineProperty(stdout, 'rows', {value: rows, configurable: true});
	(stdout as NodeJS.EventEmitter).emit('resize');
}

function assertFits(frame: string, columns: number, rows: number) {
	const lines = frame.split('\n');
	assert.ok(lines.length < rows, `frame is ${lines.length} lines for a ${rows}-line terminal`);
	for (const line of lines) assert.ok([...line].length <= columns, `line wider than ${columns}: "${line}"`);
}

test('the whole flow at 80×24: steps, the anomaly, the fix, a note, the export', async () => {
	const s = await session();
	const ui = render(<Guide effects={s.effects} glyphs={utf8} color />);
	try {
		resize(ui.stdout, 80, 24);
		let frame = await waitForFrame(ui.lastFrame, f => f.includes('Enter run next: connect') && f.split('\n').every(l => [...l].length <= 80), 'the first step offered at 80 columns');
		assertFits(frame, 80, 24);
		assert.match(frame, /\? help/);

		await press(ui, keys.enter, 'keys.enter');
		frame = await waitForFrame(ui.lastFrame, f => f.includes('nothing anomalous'), 'the connect step done');
		assert.match(frame, /PostgreSQL \d+/);
		assert.ok(!frame.includes('test-secret-pw'), 'the password never reaches the screen');

		await press(ui, keys.enter, 'keys.enter');
		frame = await waitForFrame(ui.lastFrame, f => /⚠ backend \d+ idle in transaction \(leaky-app\)/.test(f), 'the idle transaction highlighted');
		assert.match(frame, /⚠ warning so far/);
		assertFits(frame, 80, 24);

		await press(ui, keys.enter, 'keys.enter');
		frame = await waitForFrame(ui.lastFrame, f => f.includes('press t when done'), 'the manual step');
		await press(ui, 't', "'t'");
		await waitForFrame(ui.lastFrame, f => f.includes('☑ done'), 'the manual step ticked off');

		await press(ui, 'n', "'n'");
		await waitForFrame(ui.lastFrame, f => f.includes('Note on next-steps:'), 'the note input');
		await press(ui, 'posted in #incident', "'posted in #incident'");
		await waitForFrame(ui.lastFrame, f => f.includes('posted in #incident'), 'the typed note');
		await press(ui, keys.enter, 'keys.enter');
		await waitForFrame(ui.lastFrame, f => f.includes('Note: posted in #incident'), 'the saved note');
		// Flushed to the journal as soon as it is saved, not at the end.
		const journaled = readJournal(s.journal.path).events.find(e => e.type === 'note-set');
		assert.deepEqual(journaled && {stepId: journaled.stepId, text: journaled.text}, {stepId: 'next-steps', text: 'posted in #incident'});

		await press(ui, keys.enter, 'keys.enter');
		frame = await waitForFrame(ui.lastFrame, f => f.includes('Choose the fix'), 'the causes and the choice');
		assert.match(frame, /1\. likely \d+% A transaction left open/);
		assert.match(frame, /★ End the leaked transactions \(recommended\)/);
		await press(ui, keys.enter, 'keys.enter');
		frame = await waitForFrame(ui.lastFrame, f => f.includes('Fix: End the leaked transactions') && /│ idle +1\n/.test(f), 'the fix with its follow-up run live');
		assert.match(frame, /\$ select pg_terminate_backend/);

		await press(ui, 'q', "'q'");
		await waitForFrame(ui.lastFrame, f => f.includes('Notes are not in a report yet'), 'the question before quitting with unsaved notes');
		ui.stdin.write('e');
		await waitForFrame(() => String(s.exits.length), f => f !== '0', 'quit after the export');
		const exported = s.session.getState().run.exports[0]!;
		assert.equal(exported.path, s.journal.path.replace(/\.jsonl$/, '.md'));
		const report = await readFile(exported.path, 'utf8');
		assert.ok(/posted in \\?#incident/.test(report), report);
		assert.match(report, /idle in transaction/);
		assert.equal(s.exits[0], 'quit');
	} finally {
		ui.unmount();
		await s.close();
	}
});

test('e shows where the report went and its summary; y puts the summary on the clipboard, only when pressed; Esc closes', async () => {
	const s = await session();
	const ui = render(<Guide effects={s.effects} glyphs={utf8} color />);
	try {
		resize(ui.stdout, 80, 24);
		await waitForFrame(ui.lastFrame, f => f.includes('Enter run next: connect'), 'the first step offered');
		await press(ui, keys.enter, 'keys.enter');
		await waitForFrame(ui.lastFrame, f => f.includes('Enter run next: idle-tx'), 'connect done');
		await press(ui, keys.enter, 'keys.enter');
		await waitForFrame(ui.lastFrame, f => f.includes('⚠ backend'), 'the anomaly');

		await press(ui, 'e', "'e'");
		let frame = unstyled(await waitForFrame(ui.lastFrame, f => f.includes('For the incident channel:'), 'the export and its summary'));
		assertFits(frame, 80, 24);
		const path = s.session.getState().run.exports[0]!.path;
		assert.match(frame, /Report written/);
		assert.match(frame.replace(/\s+│?\s*/g, ' '), /WARNING \(run not finished\): A transaction left open \(likely\)/);
		assert.match(frame, /y copy the summary/);
		assert.equal(s.copied.length, 0, 'nothing on the clipboard until y');

		await press(ui, 'y', "'y'");
		await waitForFrame(ui.lastFrame, f => f.includes('Summary sent to the clipboard'), 'the copy said');
		assert.equal(s.copied.length, 1);
		const report = await readFile(path, 'utf8');
		const lines = s.copied[0]!.trimEnd().split('\n');
		assert.ok(lines.length >= 3 && lines.length <= 6, lines.join('\n'));
		assert.equal(report.split('\n').slice(3, 3 + lines.length).join('\n'), lines.join('\n'), 'the summary the report opens with');
		assert.match(lines.at(-1)!, new RegExp(`^Full report: .+:${path.replaceAll('.', '\\.')}$`));

		await press(ui, keys.escape, 'keys.escape');
		frame = unstyled(await waitForFrame(ui.lastFrame, f => !f.includes('For the incident channel:'), 'the overlay closed'));
		assert.match(frame, /⚠ backend/);
	} finally {
		ui.unmount();
		await s.close();
	}
});

test('NO_COLOR: no colour codes, the severity symbols stay', async () => {
	for (const color of [true, false]) {
		const s = await session();
		const ui = render(<Guide effects={s.effects} glyphs={utf8} color={color} />);
		try {
			await press(ui, keys.enter, 'keys.enter');
			await waitForFrame(ui.lastFrame, f => f.includes('nothing anomalous'), 'connect');
			await press(ui, keys.enter, 'keys.enter');
			await waitForFrame(ui.lastFrame, f => f.includes('⚠ backend'), 'the finding');
			const raw = ui.lastFrame() ?? '';
			const colours = /\u001b\[(3[0-7]|9[0-7])m/.test(raw);
			assert.equal(colours, color, color ? 'colour is on by default' : 'no colour with NO_COLOR');
		} finally {
			ui.unmount();
			await s.close();
		}
	}
});

test('a locale that is not UTF-8 gets ASCII symbols', async () => {
	const s = await session();
	const ui = render(<Guide effects={s.effects} glyphs={ascii} color={false} />);
	try {
		await press(ui, keys.enter, 'keys.enter');
		await waitForFrame(ui.lastFrame, f => f.includes('ok nothing anomalous'), 'connect in ASCII');
		await press(ui, keys.enter, 'keys.enter');
		let frame = await waitForFrame(ui.lastFrame, f => f.includes('! backend'), 'the finding in ASCII');
		assert.doesNotMatch(frame, /[✔⚠✖…│]/);
		// The fix list's pointer too (ink-select-input draws a Unicode ❯ of its own).
		await press(ui, keys.enter, 'keys.enter');
		await waitForFrame(ui.lastFrame, f => f.includes('press t when done'), 'the manual step');
		await press(ui, keys.enter, 'keys.enter');
		frame = await waitForFrame(ui.lastFrame, f => f.includes('Choose the fix'), 'the fix list');
		assert.match(frame, /\| > \* End the leaked transactions \(recommended\)$/m);
		assert.match(frame, /\| {5}Look around$/m);
		assert.match(frame, /Up\/Down Enter choose the fix/);
		assert.doesNotMatch(frame, /[❯▸★✔⚠✖…│↑↓]/);
	} finally {
		ui.unmount();
		await s.close();
	}
});

test('the layout reflows on resize and never overflows', async () => {
	const s = await session();
	const ui = render(<Guide effects={s.effects} glyphs={utf8} color={false} />);
	try {
		resize(ui.stdout, 80, 24);
		await press(ui, keys.enter, 'keys.enter');
		await waitForFrame(ui.lastFrame, f => f.includes('nothing anomalous'), 'connect');
		await press(ui, keys.enter, 'keys.enter');
		await waitForFrame(ui.lastFrame, f => f.includes('⚠ backend'), 'the finding');
		for (const [columns, rows] of [[120, 40], [80, 24], [50, 16]] as const) {
			resize(ui.stdout, columns, rows);
			const frame = await waitForFrame(ui.lastFrame, f => f.split('\n').length < rows && f.split('\n').every(l => [...l].length <= columns) && f.includes('⚠'), `a ${columns}×${rows} frame`);
			assertFits(frame, columns, rows);
			// The checklist sits beside the panel only when there is room for both.
			assert.equal(frame.includes('│'), columns >= 60, `checklist at ${columns} columns`);
		}
	} finally {
		ui.unmount();
		await s.close();
	}
});

test('resume: a step that was running when the link dropped runs again; notes stay', async () => {
	const runbook = parseRunbook(testRunbook, 'ui-test.yaml');
	// The first session: connect done, a note, then the link drops in the middle of idle-tx.
	const first = openJournal({dir, runbookPath: runbook.path, runbookText: testRunbook, target: {host: 'h', port: 1, database: 'd', user: 'u', serverVersion: null}, options: {}});
	const at = new Date().toISOString();
	const events: RunEvent[] = [
		{type: 'run-started', at, tool: {name: 'pg500', version: 'test'}, target: {host: 'h', port: 1, database: 'd', user: 'u', serverVersion: null}, runbookPath: runbook.path},
		{type: 'step-started', at, stepId: 'connect'},
		{type: 'step-finished', at, stepId: 'connect', durationMs: 3, outcome: {rows: [], rowCount: 0}},
		{type: 'note-set', at, stepId: 'connect', text: 'from the bastion'},
		{type: 'step-started', at, stepId: 'idle-tx'},
	];
	for (const e of events) first.append(e);
	first.close();

	const writer = reopenJournal(first.path);
	const s = await session({journal: writer, state: () => replayJournal(readJournal(first.path))});
	const ui = render(<Guide effects={s.effects} glyphs={utf8} color={false} />);
	try {
		const frame = await waitForFrame(ui.lastFrame, f => f.includes('⚠ backend'), 'the interrupted step run again');
		assert.match(frame, /Enter run next: next-steps/);
		await press(ui, keys.up, 'keys.up');
		await waitForFrame(ui.lastFrame, f => f.includes('Note: from the bastion'), 'the note kept');
		const after = readJournal(first.path).events;
		assert.equal(after.filter(e => e.type === 'step-started' && e.stepId === 'connect').length, 1, 'finished steps are not run again');
		assert.ok(after.some(e => e.type === 'step-finished' && e.stepId === 'idle-tx'), 'the re-run is appended to the same journal');
	} finally {
		ui.unmount();
		await s.close();
	}
});

test('Ctrl-C asks the command to end the session', async () => {
	const s = await session();
	const ui = render(<Guide effects={s.effects} glyphs={utf8} color={false} />);
	try {
		await waitForFrame(ui.lastFrame, f => f.includes('Enter run next'), 'the first frame');
		ui.stdin.write(keys.ctrlC);
		await waitForFrame(() => s.exits.join(','), f => f === 'interrupt', 'the interrupt');
	} finally {
		ui.unmount();
		await s.close();
	}
	assert.equal(unstyled('\u001b[31mx\u001b[39m'), 'x');
});
