import {test} from 'node:test';
import assert from 'node:assert/strict';
import {initialState, reduce} from '../../source/engine/reducer.ts';
import type {RunState} from '../../source/engine/types.ts';
import {quizChoices} from '../../source/drill/quiz.ts';
import {glyphsFor, type Glyphs} from '../../source/ui/glyphs.ts';
import {textWidth} from '../../source/ui/lines.ts';
import {messageLine} from '../../source/ui/frame-lines.ts';
import {screenOf, type Screen} from '../../source/ui/screen.ts';
import {at, lockChain, runbook, t0} from './lock-chain-state.ts';
import type {GuideState} from '../../source/ui/use-guide-state.ts';

/* The frame from a state alone, no database: what the operator reads. */

const utf8 = glyphsFor({LANG: 'C.UTF-8'});
const ascii = glyphsFor({LANG: 'C'});
const guide = (extra: Partial<GuideState> = {}): GuideState => ({view: 'step', scroll: 0, list: 0, input: '', ...extra});

function frame(run: RunState, g: GuideState, glyphs: Glyphs, columns = 80, rows = 24, quiz = false, reveal?: {correct: boolean; text: string}): {screen: Screen; lines: string[]} {
	const screen = screenOf({run, reveal, guide: g, columns, rows, glyphs, now: t0 + 60_000, quiz: quiz ? {choices: quizChoices} : undefined});
	return {screen, lines: screen.frame.map(l => l.segments.map(s => s.text).join(''))};
}

test('LANG=C: every text on the screen is ASCII — symbols, the runbook’s dashes and ellipses, the database’s text', () => {
	const run = lockChain();
	for (const g of [guide({focus: 'server-logs'}), guide({focus: 'locks'}), guide({focus: 'timeouts'}), guide({view: 'causes'}), guide({overlay: 'help'}), guide({focus: 'locks', cursor: {index: 0, open: true}})]) {
		const {lines} = frame(run, g, ascii);
		for (const line of lines) assert.match(line, /^[\x20-\x7e]*$/, `not ASCII: ${JSON.stringify(line)}`);
		assert.doesNotMatch(lines.join('\n'), /[·…—]/);
	}
	const header = frame(reduce(initialState(runbook), {type: 'run-started', at: at(0), tool: {name: 'pg500', version: 't'}, target: {host: 'h', port: 1, database: 'd', user: 'u', serverVersion: null}, runbookPath: 'x'}), guide(), ascii).lines[0]!;
	assert.match(header, / ok so far$/);
	assert.doesNotMatch(header, /ok ok/, 'the verdict word once');
});

test('at 80×24 and 200×50 nothing is wider than the terminal, counted in cells (a CJK application name takes two each)', () => {
	const run = lockChain();
	for (const [columns, rows] of [[80, 24], [200, 50]] as const)
		for (const g of [guide({focus: 'locks'}), guide({focus: 'locks', cursor: {index: 0, open: true}}), guide({focus: 'timeouts'}), guide({view: 'causes'})]) {
			const {screen, lines} = frame(run, g, utf8, columns, rows);
			// Header, the body (checklist beside the panel), message, two footer lines: one line short of the terminal.
			assert.equal(lines.length, rows - 1);
			for (const line of screen.shown.map(l => l.segments.map(s => s.text).join(''))) assert.ok(textWidth(line) <= screen.layout.panelWidth, `${textWidth(line)} cells: ${line}`);
			for (const line of lines) assert.ok(textWidth(line) <= columns, line);
		}
});

test('the footer keeps what Enter does, help and quit, and leaves out whole hints rather than cutting one', () => {
	const run = lockChain();
	const {lines} = frame(run, guide({focus: 'locks'}), utf8);
	const footer = lines.slice(-2);
	assert.match(footer[0]!, /^Enter run next: schema/);
	assert.match(footer.join(' '), /\? help/);
	assert.match(footer.join(' '), /q quit/);
	assert.doesNotMatch(footer.join(' '), /…/);
	const narrow = frame(run, guide({focus: 'locks'}), utf8, 40, 24).lines.slice(-2);
	assert.match(narrow.join(' '), /\? help/);
	assert.doesNotMatch(narrow.join(' '), /…/);
});

test('a quiz not yet answered: the causes in the runbook’s order, no likelihood, no recommended fix', () => {
	const run = lockChain();
	// Tall enough to show all seven causes without scrolling.
	const {screen, lines} = frame(run, guide({view: 'causes'}), utf8, 80, 60, true);
	const text = [...lines, ...screen.list!.items.map(i => i.label)].join('\n');
	assert.doesNotMatch(text, /\d+%|likely|recommended|★/);
	const titles = runbook.causes.map(c => c.title.slice(0, 20));
	const found = titles.map(t => text.indexOf(t));
	assert.ok(found.every(i => i >= 0) && found.every((i, k) => k === 0 || i > found[k - 1]!), 'in the runbook’s order');
	const after = frame(run, guide({view: 'causes'}), utf8, 80, 40, true, {correct: true, text: 'x'});
	assert.match(after.lines.join('\n'), /likely \d+%/);
	assert.match(after.screen.list!.items[0]!.label, /^★ Clear the lock chain/);
	assert.equal(after.screen.list!.title, 'Choose the fix to follow (★ recommended):');
});

test('a resumed session: each result shows its age; those from before the resumption are marked stale, r runs them again', () => {
	const resumed = reduce(lockChain(), {type: 'session-resumed', at: at(7200), gapMs: 7194_000, after: 'SIGHUP'});
	const screen = screenOf({run: resumed, guide: guide({focus: 'locks'}), columns: 80, rows: 24, glyphs: utf8, now: t0 + 7260_000});
	const panel = screen.shown.map(l => l.segments.map(s => s.text).join('')).join('\n');
	const n = runbook.steps.findIndex(s => s.id === 'locks') + 1;
	assert.match(panel.replace(/\s+/g, ' '), new RegExp(`^✖ ${n}\\. Locks and deadlocks ⚠ Stale: seen 2 h ago, before the session was resumed\\. r runs it again\\.`));
	const sidebar = screen.sidebar.map(l => l.segments.map(s => s.text).join('')).join('\n');
	assert.match(sidebar.replace(/\s+/g, ' '), new RegExp(`${n} Locks and deadlocks 2h`));
	assert.deepEqual(resumed.sessions.map(part => [part.startedAt, part.endedBy]), [[at(0), undefined], [at(7200), undefined]], 'the resumption opens a part of its own');
});

test('a message too long for its line keeps the parts that fit whole: no figure is cut into another number', () => {
	const text = 'Cleared: root blockers 1 → 0; waiting ≥ 1 s 16 → 0; queues on data_version 1 → 0.';
	const line = (glyphs: Glyphs) => messageLine({text, severity: 'info'}, 80, glyphs).segments.map(s => s.text).join('');
	assert.equal(line(utf8), 'ℹ Cleared: root blockers 1 → 0; waiting ≥ 1 s 16 → 0; …');
	assert.ok(textWidth(line(utf8)) <= 80);
	// Room for all: nothing dropped.
	assert.equal(messageLine({text, severity: 'info'}, 100, utf8).segments[0]!.text, `ℹ ${text}`);
	// One part alone too long: cut as any text is.
	assert.equal(textWidth(messageLine({text: 'x'.repeat(200), severity: 'warning'}, 80, utf8).segments[0]!.text), 80);
});
