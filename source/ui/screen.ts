import {defaultCaptureLimits, type CaptureLimits} from '../checks/capture-command.ts';
import {rankedCauses} from '../engine/causes.ts';
import {chooseFix} from '../engine/next.ts';
import {findStep} from '../engine/steps.ts';
import type {RankedCause, RunState, Severity} from '../engine/types.ts';
import type {QuizChoice} from '../drill/quiz.ts';
import {ageLines} from './ages.ts';
import {headerLine, messageLine} from './frame-lines.ts';
import type {Glyphs} from './glyphs.ts';
import {footerHints, helpRows} from './keymap.ts';
import {layoutFor, packHints, type Layout} from './layout.ts';
import {fitLine, fitText, pad, padLine, paragraph, plain, shown, textWidth, type Line} from './lines.ts';
import {inputLine, listLines} from './list-lines.ts';
import {logCommands} from './log-commands.ts';
import {actConfirmLines, confirmLines, exportLines, loginLines, quizPromptLines, revealLines} from './overlay-lines.ts';
import {planActions, type PlannedAction} from '../engine/actions.ts';
import {whereElseToLook} from '../engine/fix-text.ts';
import {causeLines, fixLines, stepLines} from './panel-lines.ts';
import {detailLines} from './result-lines.ts';
import {sidebarLines} from './sidebar-lines.ts';
import {stepsOnScreen, targetStep} from './use-guide-actions.ts';
import type {GuideState} from './use-guide-state.ts';
import type {LiveWatch} from '../session/store.ts';
import {figureLines} from '../watch/view-lines.ts';

/* The whole frame as a pure function of the state and the terminal's size:
 * what Guide draws, and what the keyboard acts on (the list under the panel,
 * the rows that can be picked, how far the panel scrolls). */

export interface ScreenInput {
	run: RunState;
	/** The step the session runs now (a spinner). */
	running?: string;
	/** Training mode: the reveal once the trainee named the cause. */
	reveal?: {correct: boolean; text: string};
	guide: GuideState;
	columns: number;
	rows: number;
	glyphs: Glyphs;
	/** A log the tool could not read can be named now (a path, a command). */
	logInput?: boolean;
	/** How long and how much of a log command's output is read (said before it runs). */
	captureLimits?: CaptureLimits;
	/** What must stay on the message line until it is over (a journal the disk will not take). */
	banner?: {text: string; severity: Severity};
	/** Training mode: the answers to offer; the screen must not give the drill away. */
	quiz?: {choices: readonly QuizChoice[]};
	/** For the age of results in a resumed session. */
	now: number;
	/** A drill's lesson for the fix view. */
	practice?: string;
	/** The session can connect as another role (u). */
	canReconnect?: boolean;
	/** The live watch, while it is open (its samples are in run.watch). */
	watch?: LiveWatch;
	/** The session has a live target to watch (`w`). */
	watchable?: boolean;
}

export interface ListModel {
	kind: 'fix' | 'log-command' | 'quiz';
	title: string;
	items: {value: string; label: string}[];
}

export interface Screen {
	layout: Layout;
	/** Every line of the frame, top to bottom: what Guide draws. */
	frame: Line[];
	header: Line;
	sidebar: Line[];
	/** The panel's lines that are shown now (scrolled), fitted. */
	shown: Line[];
	/** Lines of the result rows that can be picked (→), in the step or fix panel. */
	entries: {line: number}[];
	/** The steps with a line on the panel's rows, those whose title shows first: what `r`, `t` and `n` act on in the fix view. */
	onScreen: readonly string[];
	list?: ListModel & {height: number};
	/** The line being typed; `hidden` for a password (nothing of it is drawn). */
	input?: {label: string; hidden?: boolean};
	/** Lines the panel has room for, above a list or an input. */
	linesHeight: number;
	maxScroll: number;
	scroll: number;
	page: number;
	message: Line;
}

/** The causes as the panel shows them: ranked, or — in a quiz not yet answered — in the runbook's order and without their likelihood. */
function causesShown(run: RunState, hidden: boolean): RankedCause[] {
	const ranked = rankedCauses(run);
	return hidden ? run.runbook.causes.map(c => ranked.find(r => r.id === c.id)!).filter(Boolean) : ranked;
}

/** The action whose confirmation is open. */
function plan(input: ScreenInput): PlannedAction | undefined {
	const {run, guide} = input;
	return run.chosenFix && guide.act ? planActions(run, run.chosenFix.id).find(p => p.id === guide.act) : undefined;
}

const targetName = (run: RunState) => (run.target ? `${run.target.host}:${run.target.port}/${run.target.database}` : 'the target');

/** Every key: its name, then what it does (below it when the name is long). */
function helpLines(width: number, glyphs: Glyphs): Line[] {
	const keyWidth = 16;
	return [
		plain('help:title', 'Keys', {bold: true}),
		...helpRows(glyphs).flatMap((r, i) => {
			const help = r.help.replace(/`/g, '');
			if (textWidth(r.keys) < keyWidth) return paragraph(`help:${i}`, help, width, glyphs, {}, {text: pad(r.keys, keyWidth), bold: true});
			return [plain(`help:${i}:keys`, r.keys, {bold: true}), ...paragraph(`help:${i}`, help, width, glyphs, {}, {text: ' '.repeat(keyWidth)})];
		}),
	];
}

/** The step or fix panel, before any overlay: where result rows live. */
function basePanel(input: ScreenInput, width: number, quizOpen: boolean): Line[] {
	const {run, guide, glyphs, now, running, reveal} = input;
	if (guide.view === 'quiz' && reveal) return revealLines(reveal, width, glyphs);
	if (guide.view === 'causes') return [...elsewhereLines(run, width, glyphs, quizOpen), ...causeLines(causesShown(run, quizOpen), width, glyphs, {hideLikelihood: quizOpen})];
	if (guide.view === 'fix' && run.chosenFix) {
		const fix = run.runbook.fixes.find(f => f.id === run.chosenFix!.id);
		if (fix) return fixLines(fix, run, running, width, glyphs, step => ageLines(step, run, now, width, glyphs), {practice: input.practice, canReconnect: input.canReconnect});
	}
	const stepId = guide.focus ?? run.visited.at(-1) ?? run.runbook.steps[0]!.id;
	const def = findStep(run.runbook, stepId);
	const step = run.steps[stepId];
	if (!def || !step) return [];
	const number = run.runbook.steps.findIndex(s => s.id === stepId);
	return stepLines(step, def.step, number >= 0 ? `${number + 1}. ` : '', running === stepId, width, glyphs, ageLines(step, run, now, width, glyphs), run);
}

/** No likely cause: nothing in the database explains the errors; where to look next comes first. */
function elsewhereLines(run: RunState, width: number, glyphs: Glyphs, quizOpen: boolean): Line[] {
	const elsewhere = quizOpen ? undefined : whereElseToLook(run);
	if (!elsewhere) return [];
	return [
		...paragraph('elsewhere', elsewhere, width, glyphs, {color: 'blue'}, {text: 'Where to look next: ', bold: true, color: 'blue'}),
		plain('elsewhere:gap', ''),
	];
}

/** The list under the panel, if the view or overlay has one. */
function listFor(input: ScreenInput, width: number, quizOpen: boolean): ListModel | undefined {
	const {run, guide, glyphs} = input;
	const fit = (label: string) => fitText(label, width - 3, glyphs);
	if (guide.overlay === 'quiz' && input.quiz) return {kind: 'quiz', title: 'What is the cause?', items: input.quiz.choices.map(c => ({value: c.id, label: fit(c.label)}))};
	if (guide.overlay === 'log-command')
		return {kind: 'log-command', title: 'Which command prints the denokv log here? (shown before it runs)', items: logCommands.map(c => ({value: c.id, label: fit(c.label)}))};
	if (guide.view !== 'causes' || guide.overlay || guide.cursor) return undefined;
	const choice = chooseFix(run);
	if (choice.kind !== 'choose-fix') return undefined;
	// In a quiz not yet answered, the recommended fix would name the cause.
	const recommended = quizOpen ? undefined : choice.recommended;
	const ordered = recommended ? [recommended, ...choice.options.filter(o => o !== recommended)] : choice.options;
	// Nothing likely: no fix is pre-selected; the first item ends the run without one.
	const none = !recommended && !quizOpen && !run.finishedAt ? [{value: '', label: fit('  No fix: nothing here explains the errors (finish)')}] : [];
	const items = ordered.map(id => {
		const title = run.runbook.fixes.find(f => f.id === id)?.title ?? id;
		if (id !== recommended) return {value: id, label: fit(`  ${title}`)};
		// The star says it when the words do not fit (the list's title explains the star).
		const said = `${glyphs.star} ${title} (recommended)`;
		return {value: id, label: textWidth(shown(said, glyphs)) <= width - 3 ? shown(said, glyphs) : fit(`${glyphs.star} ${title}`)};
	});
	if (items.length === 0) return undefined;
	const title = recommended ? `Choose the fix to follow (${glyphs.star} recommended):` : none.length > 0 ? 'No cause is likely. Finish, or choose a fix anyway:' : 'Choose the fix to follow:';
	return {kind: 'fix', title, items: [...none, ...items]};
}

function inputFor(input: ScreenInput, onScreen: readonly string[]): {label: string; hidden?: boolean} | undefined {
	const {run, guide} = input;
	if (guide.overlay === 'act' && guide.act) return {label: 'yes to run it: '};
	if (guide.overlay === 'login') return {label: 'Role or postgres:// URL: '};
	if (guide.overlay === 'password' && guide.login) return {label: `Password for ${guide.login} (hidden): `, hidden: true};
	const noteTarget = targetStep(run, guide, onScreen);
	if (guide.overlay === 'note' && noteTarget) return {label: `Note on ${noteTarget}: `};
	if (guide.overlay === 'log-path' && guide.log) return {label: `Log file for ${guide.log.stepId}: `};
	const command = logCommands.find(c => c.id === guide.log?.commandId);
	if (guide.overlay === 'log-value' && command?.ask) return {label: `${command.ask}: `};
	return undefined;
}

export function screenOf(input: ScreenInput): Screen {
	const {run, guide, glyphs} = input;
	const layout = layoutFor(input.columns, input.rows);
	if (guide.view === 'watch' && !guide.overlay) return watchScreen(input, layout);
	const width = layout.panelWidth;
	const quizOpen = Boolean(input.quiz && !input.reveal);

	const base = basePanel(input, width, quizOpen);
	const entries = base.flatMap((line, i) => (line.detail ? [{line: i, detail: line.detail}] : []));
	const cursor = guide.cursor && entries.length > 0 ? {...guide.cursor, index: Math.min(guide.cursor.index, entries.length - 1)} : undefined;
	let panel: Line[];
	if (guide.overlay === 'help') panel = helpLines(width, glyphs);
	else if (guide.overlay === 'log-confirm' && guide.log?.line) {
		const name = findStep(run.runbook, guide.log.stepId)?.step.source === 'postgres-log' ? 'the PostgreSQL log' : 'the denokv server log';
		panel = confirmLines(guide.log.line, name, input.captureLimits ?? defaultCaptureLimits, width, glyphs);
	} else if (guide.overlay === 'quiz') panel = quizPromptLines(width, glyphs);
	else if (guide.overlay === 'export' && guide.exported) panel = exportLines(guide.exported, width, glyphs);
	else if (guide.overlay === 'act' && plan(input)) panel = actConfirmLines(plan(input)!, targetName(run), width, glyphs);
	else if (guide.overlay === 'login' || guide.overlay === 'password') panel = loginLines(targetName(run), width, glyphs);
	else if (cursor?.open) {
		const entry = entries[cursor.index]!;
		panel = detailLines(entry.detail, entry.detail.step, {index: cursor.index, count: entries.length}, width, glyphs);
	} else if (cursor) {
		const at = entries[cursor.index]!.line;
		const highlight = (line: Line): Line => {
			const fitted = fitLine(line, width, glyphs);
			const used = fitted.segments.reduce((n, s) => n + textWidth(s.text), 0);
			return {...fitted, segments: [...fitted.segments, {text: ' '.repeat(Math.max(0, width - used))}].map(s => ({...s, inverse: true}))};
		};
		panel = base.map((line, i) => (i === at ? highlight(line) : line));
	} else panel = base;
	const lines = panel.map(l => fitLine(l, width, glyphs));

	const list = listFor(input, width, quizOpen);
	const listHeight = list ? Math.min(list.items.length, Math.max(2, Math.floor(layout.bodyHeight / (list.kind === 'fix' ? 3 : 2)))) + 1 : 0;
	// What `r`, `t` and `n` act on: the steps on the panel's rows without the input, so opening it changes nothing.
	const panelHeight = Math.max(1, layout.bodyHeight - listHeight);
	const top = Math.min(guide.scroll, Math.max(0, lines.length - panelHeight));
	const onScreen = stepsOnScreen(base === panel ? lines.slice(top, top + panelHeight).map(l => l.key) : []);
	const inputLabel = inputFor(input, onScreen);
	const linesHeight = Math.max(1, layout.bodyHeight - listHeight - (inputLabel ? 1 : 0));
	// When the panel scrolls, its last line says where it is: one line less of content.
	const room = lines.length > linesHeight ? linesHeight - 1 : linesHeight;
	const maxScroll = Math.max(0, lines.length - room);
	const scroll = Math.min(guide.scroll, maxScroll);
	const visible = lines.slice(scroll, scroll + room);
	if (maxScroll > 0) {
		const up = scroll > 0 ? (glyphs.unicode ? '↑' : '^') : ' ';
		const down = scroll < maxScroll ? (glyphs.unicode ? '↓' : 'v') : ' ';
		visible.push(plain('scroll', `${up}${down} ${scroll + 1}-${scroll + visible.length}/${lines.length}`, {dim: true}));
	}

	const quitLine = guide.overlay === 'quit' ? {text: 'Notes are not in a report yet. e exports then quits, q quits anyway, Esc stays.', severity: 'warning' as const} : undefined;
	const screen: Screen = {
		layout,
		frame: [],
		header: headerLine(run, layout.width, glyphs, Boolean(input.quiz)),
		sidebar: layout.checklistWidth > 0 ? sidebarLines(run, guide, input.running, layout.checklistWidth, layout.bodyHeight, glyphs, input.now) : [],
		shown: visible,
		entries: entries.map(e => ({line: e.line})),
		onScreen,
		list: list ? {...list, height: listHeight} : undefined,
		input: inputLabel,
		linesHeight,
		maxScroll,
		scroll,
		page: Math.max(1, linesHeight - 1),
		message: messageLine(quitLine ?? input.banner ?? guide.message, layout.width, glyphs),
	};
	const extras = {logInput: input.logInput ?? false, quiz: Boolean(input.quiz), reconnect: input.canReconnect ?? false, watch: input.watchable ?? false};
	const footer = packHints(footerHints({run, running: input.running, reveal: input.reveal, guide, screen, extras}, glyphs), layout.width, layout.footerHeight, glyphs);
	return {...screen, frame: [screen.header, ...bodyRows(screen, guide, glyphs), screen.message, ...footer]};
}

/**
 * The body as whole rows: the checklist, the separator and the panel side by
 * side in one line each, the panel's list or input at its foot. One Text per
 * row is what Ink lays out and measures fastest (a box per column and a text
 * per piece cost a third of the first frame).
 */
function bodyRows(screen: Screen, guide: GuideState, glyphs: Glyphs): Line[] {
	const {layout} = screen;
	const foot: Line[] = [];
	if (screen.list) foot.push(plain('list:title', screen.list.title, {bold: true}), ...listLines('list', screen.list.items, guide.list, screen.list.height - 1, glyphs));
	if (screen.input) foot.push(inputLine(screen.input.label, screen.input.hidden ? '' : guide.input, layout.panelWidth, glyphs));
	const gap = foot.length > 0 ? Math.max(0, screen.linesHeight - screen.shown.length) : 0;
	const panel = [...screen.shown, ...Array.from({length: gap}, (_, i) => plain(`gap:${i}`, '')), ...foot].map(l => fitLine(l, layout.panelWidth, glyphs));
	return Array.from({length: layout.bodyHeight}, (_, i) => {
		const right = panel[i]?.segments ?? [];
		if (layout.checklistWidth === 0) return {key: `row:${i}`, segments: right};
		const left = padLine(screen.sidebar[i] ?? plain('', ''), layout.checklistWidth, glyphs).segments;
		return {key: `row:${i}`, segments: [...left, {text: `${glyphs.separator} `, dim: true}, ...right]};
	});
}

/**
 * The live watch (`w`): the figures full width under the header, each a
 * headline over a sparkline of its samples; the watch's last problem on
 * the message line (what must stay there, the journal's banner, first).
 */
function watchScreen(input: ScreenInput, layout: Layout): Screen {
	const {run, guide, glyphs} = input;
	const series = run.watch ?? {spans: [], samples: [], moments: []};
	const figures = figureLines({series, since: input.watch?.since ?? series.samples.length, thresholds: run.runbook.thresholds, width: layout.width, height: layout.bodyHeight, glyphs});
	const status = input.watch?.status;
	const screen: Screen = {
		layout,
		frame: [],
		header: headerLine(run, layout.width, glyphs, Boolean(input.quiz)),
		sidebar: [],
		shown: figures,
		entries: [],
		onScreen: [],
		linesHeight: layout.bodyHeight,
		maxScroll: 0,
		scroll: 0,
		page: 1,
		message: messageLine(input.banner ?? (status ? {text: status.text, severity: status.severity} : guide.message), layout.width, glyphs),
	};
	const footer = packHints(footerHints({run, running: input.running, reveal: input.reveal, guide, screen, extras: {logInput: input.logInput ?? false, quiz: Boolean(input.quiz), watch: input.watchable ?? false}}, glyphs), layout.width, layout.footerHeight, glyphs);
	return {...screen, frame: [screen.header, ...figures, screen.message, ...footer]};
}
