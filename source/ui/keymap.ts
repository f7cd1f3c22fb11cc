import {defaultCaptureLimits} from '../checks/capture-command.ts';
import {nextMove} from '../engine/next.ts';
import type {RunState} from '../engine/types.ts';
import {escapeUntrusted} from '../text/escape.ts';
import {planActions, slotsTaken} from '../engine/actions.ts';
import {maxActionsPerFix} from '../runbook/names.ts';
import type {Glyphs} from './glyphs.ts';
import type {KeyPress} from './key-input.ts';
import type {Hint} from './layout.ts';
import {logTarget} from '../session/log-input.ts';
import type {Screen} from './screen.ts';
import {targetStep, type GuideActions} from './use-guide-actions.ts';
import {inputOverlays, type GuideAction, type GuideState} from './use-guide-state.ts';

/* The one keymap of the guide. This table drives the key handler, the
 * footer (what works now), the `?` help and the README's key table (a test
 * checks it): what the screen promises is what the keyboard does. */

/** What the keyboard is doing now: typing, a list, the rows of a result, a step… */
export type Mode = 'input' | 'confirm' | 'pick' | 'quit' | 'help' | 'export' | 'watch' | 'detail' | 'rows' | 'causes' | 'reveal' | 'steps';

export function modeOf(guide: GuideState): Mode {
	if (guide.overlay && inputOverlays.includes(guide.overlay)) return 'input';
	if (guide.overlay === 'log-confirm') return 'confirm';
	if (guide.overlay === 'log-command' || guide.overlay === 'quiz') return 'pick';
	if (guide.overlay === 'quit') return 'quit';
	if (guide.overlay === 'help') return 'help';
	if (guide.overlay === 'export') return 'export';
	if (guide.view === 'watch') return 'watch';
	if (guide.cursor?.open) return 'detail';
	if (guide.cursor) return 'rows';
	if (guide.view === 'causes') return 'causes';
	if (guide.view === 'quiz') return 'reveal';
	return 'steps';
}

/** What the guide can do beyond the runbook here: read a log named at run time, ask the quiz. */
export interface KeyExtras {
	logInput: boolean;
	quiz: boolean;
	/** The session can connect as another role (a superuser through the reserved slots). */
	reconnect?: boolean;
	/** A live target to watch (`w`). */
	watch?: boolean;
}

export interface KeyContext {
	run: RunState;
	/** The step the session runs now. */
	running?: string;
	/** Training mode: the reveal, once the cause was named. */
	reveal?: {correct: boolean; text: string};
	guide: GuideState;
	/** The screen for this state (its lists, rows, scrolling). */
	screen: Screen;
	extras: KeyExtras;
}

export interface KeyEffects {
	actions: GuideActions;
	dispatch(action: GuideAction): void;
	/** The context as it is now: after an earlier dispatch of the same key. */
	current(): KeyContext;
}

export interface Binding {
	/** Key names (key-input.ts); `text` is any printable key. */
	keys: string[];
	modes: Mode[];
	/** For `?` and the README: what it does. Keys without it are explained by the footer alone. */
	help?: string;
	/** The footer's label now; undefined leaves it out of the footer. */
	footer?: string | ((c: KeyContext) => string | undefined);
	/** The keys the footer shows, when not `keys` (a list's ↑↓ with its Enter). */
	footerKeys?: string[];
	/** In the footer: lower stays longer when the footer is short of room. */
	priority?: number;
	/** Whether it applies now (default: always, in its modes). */
	when?(c: KeyContext): boolean;
	/** It would start a step: while one runs, the key waits its turn (with every key after it). */
	waits?: boolean | ((c: KeyContext) => boolean);
	run(c: KeyContext, effects: KeyEffects, key: KeyPress): void;
}

const panels: Mode[] = ['steps', 'rows', 'detail', 'causes', 'reveal'];
const stepModes: Mode[] = ['steps', 'rows', 'detail'];

function enterLabel(c: KeyContext): string | undefined {
	if (c.running) return undefined;
	const quizOpen = c.extras.quiz && !c.reveal;
	if (c.run.finishedAt && !quizOpen) return undefined;
	const move = nextMove(c.run);
	switch (move.kind) {
		case 'step':
			return `run ${c.run.steps[move.stepId]?.status === 'running' ? 'again' : 'next'}: ${move.stepId}`;
		case 'fix':
			return `open fix ${move.fixId}`;
		case 'choose-fix':
			return 'see the causes';
		case 'end':
			return quizOpen ? 'name the cause' : 'finish';
	}
}

/** The step under `r`, `t`, `n`. */
const target = (c: KeyContext) => {
	const id = targetStep(c.run, c.guide, c.screen.onScreen);
	return id ? c.run.steps[id] : undefined;
};

const logHere = (c: KeyContext) => (c.extras.logInput && c.guide.view === 'step' ? logTarget(c.run, targetStep(c.run, c.guide, c.screen.onScreen)) : undefined);

/** Moves the row cursor to `index` (or closes it) and scrolls its line into sight. */
function pickRow(effects: KeyEffects, index: number | undefined, open = false): void {
	effects.dispatch({type: 'cursor', cursor: index === undefined ? undefined : {index, open}});
	const {screen, guide} = effects.current();
	if (index === undefined) return;
	if (open) return effects.dispatch({type: 'scroll-to', line: 0});
	const line = screen.entries[index]?.line;
	if (line === undefined) return;
	// The scroll marker takes the last line when the panel scrolls.
	const visible = screen.linesHeight - (screen.maxScroll > 0 ? 1 : 0);
	// A table's header is worth seeing with its first row.
	const top = index === 0 ? Math.max(0, line - 2) : line;
	if (top < guide.scroll) effects.dispatch({type: 'scroll-to', line: top});
	else if (line >= guide.scroll + visible) effects.dispatch({type: 'scroll-to', line: line - visible + 1});
}

function moveStep(c: KeyContext, effects: KeyEffects, by: number): void {
	const ids = c.run.runbook.steps.map(s => s.id);
	const from = c.guide.focus && ids.includes(c.guide.focus) ? ids.indexOf(c.guide.focus) : Math.max(0, ids.indexOf(c.run.visited.at(-1) ?? ''));
	effects.actions.show('step', ids[Math.max(0, Math.min(ids.length - 1, from + by))]);
}

function pickFromList(c: KeyContext, effects: KeyEffects): void {
	const list = c.screen.list;
	const item = list?.items[Math.min(c.guide.list, list.items.length - 1)];
	if (!list || !item) return;
	// The first item of a list with no likely cause: no fix at all.
	if (list.kind === 'fix' && item.value === '') effects.actions.finish();
	else if (list.kind === 'fix') effects.actions.chooseFix(item.value);
	else if (list.kind === 'log-command') effects.actions.log.pickCommand(item.value);
	else effects.actions.answerQuiz(item.value as Parameters<GuideActions['answerQuiz']>[0]);
}

const inputLabels: Record<string, string> = {note: 'save note', 'log-path': 'read this log', 'log-value': 'show the command', act: 'answer', login: 'then the password', password: 'connect'};

/** The chosen fix's actions, numbered as the fix view shows them. */
const actionsOf = (c: KeyContext) => (c.run.chosenFix && c.guide.view === 'fix' ? planActions(c.run, c.run.chosenFix.id) : []);

/** Every slot was taken when pg500 tried: the way in is a superuser's reserved slot. */
const slotsFull = (c: KeyContext) => slotsTaken(c.run) && !c.run.connectedAs;
const pickLabels: Record<string, string> = {fix: 'choose the fix', 'log-command': 'pick a command', quiz: 'answer'};

export const keymap: readonly Binding[] = [
	// Typing a note or a path.
	{
		keys: ['Enter'],
		modes: ['input'],
		footer: c => inputLabels[c.guide.overlay ?? ''],
		priority: 0,
		// Reading a log path, preparing a command, acting or connecting run something: not while a step runs.
		waits: c => c.guide.overlay !== 'note' && c.guide.overlay !== 'login',
		run(c, {actions}) {
			const text = c.guide.input;
			if (c.guide.overlay === 'note') actions.saveNote(text);
			else if (c.guide.overlay === 'log-path') void actions.log.usePath(text);
			else if (c.guide.overlay === 'act') actions.answerAction(text);
			else if (c.guide.overlay === 'login') actions.askPassword(text);
			else if (c.guide.overlay === 'password') actions.reconnect(text);
			else actions.log.fillCommand(text);
		},
	},
	// At an action's confirmation, cancelling is an answer too: it is journaled.
	{keys: ['Esc'], modes: ['input'], footer: 'cancel', priority: 0, when: c => c.guide.overlay === 'act', run: (_c, {actions}) => actions.answerAction('')},
	{keys: ['Esc'], modes: ['input'], footer: 'cancel', priority: 0, run: (_c, {actions}) => actions.overlay()},
	// Every target of an action, with its SQL, may take more than a screen.
	{
		keys: ['PgUp', 'PgDn'],
		modes: ['input'],
		footer: c => (c.screen.maxScroll > 0 ? 'scroll' : undefined),
		priority: 1,
		when: c => c.guide.overlay === 'act',
		run(c, {dispatch}, key) {
			dispatch({type: 'scroll', by: key.name === 'PgDn' ? c.screen.page : -c.screen.page, max: c.screen.maxScroll});
		},
	},
	// The command shown before it runs.
	{keys: ['y', 'Y'], modes: ['confirm'], footer: 'run it', footerKeys: ['y'], priority: 0, waits: true, run: (_c, {actions}) => void actions.log.confirmCommand(true)},
	{keys: ['n', 'N', 'Esc'], modes: ['confirm'], footer: 'do not run', footerKeys: ['n', 'Esc'], priority: 0, run: (_c, {actions}) => void actions.log.confirmCommand(false)},
	// Quitting with notes not in a report yet.
	{keys: ['e'], modes: ['quit'], footer: 'export, then quit', priority: 0, run: (_c, {actions}) => void actions.exportReport().then(() => actions.quit(true))},
	{keys: ['q'], modes: ['quit'], footer: 'quit anyway', priority: 0, run: (_c, {actions}) => actions.quit(true)},
	{keys: ['Esc'], modes: ['quit'], footer: 'stay', priority: 0, run: (_c, {actions}) => actions.overlay()},
	// The rows of a result (→) and their detail.
	{keys: ['Up', 'Down'], modes: ['rows'], footer: 'row', priority: 1, run: (c, effects, key) => pickRow(effects, Math.max(0, Math.min(c.screen.entries.length - 1, (c.guide.cursor?.index ?? 0) + (key.name === 'Up' ? -1 : 1))))},
	{keys: ['Enter', 'Right'], modes: ['rows'], footer: 'detail', priority: 0, run: (c, effects) => pickRow(effects, c.guide.cursor?.index ?? 0, true)},
	{keys: ['Left', 'Esc'], modes: ['rows'], footer: 'back', priority: 0, run: (_c, effects) => pickRow(effects, undefined)},
	{
		keys: ['Up', 'Down'],
		modes: ['detail'],
		footer: c => (c.screen.entries.length > 1 ? 'another row' : undefined),
		priority: 1,
		run: (c, effects, key) => pickRow(effects, Math.max(0, Math.min(c.screen.entries.length - 1, (c.guide.cursor?.index ?? 0) + (key.name === 'Up' ? -1 : 1))), true),
	},
	{
		keys: ['Left', 'Esc'],
		modes: ['detail'],
		footer: 'back',
		priority: 0,
		// One row has no rows view to go back to.
		run: (c, effects) => pickRow(effects, c.screen.entries.length > 1 ? (c.guide.cursor?.index ?? 0) : undefined),
	},
	// Lists under the panel: the fix to follow, a log command, the quiz's answers.
	{
		keys: ['Enter'],
		modes: ['causes', 'pick'],
		footer: c => (c.screen.list ? pickLabels[c.screen.list.kind] : undefined),
		footerKeys: ['Up', 'Down', 'Enter'],
		priority: 0,
		waits: true,
		when: c => Boolean(c.screen.list),
		run: (c, effects) => pickFromList(c, effects),
	},
	{keys: ['Esc'], modes: ['pick'], footer: c => (c.guide.overlay === 'quiz' ? 'not yet' : 'cancel'), priority: 0, run: (_c, {actions}) => actions.overlay()},
	// The quiz's reveal; the help.
	{keys: ['Esc', 'Enter'], modes: ['reveal'], footer: 'steps', priority: 0, run: (_c, {actions}) => actions.show('step')},
	{keys: ['Esc', '?'], modes: ['help'], footer: 'close help', priority: 0, run: (_c, {actions}) => actions.overlay()},
	// The panels: what `?` and the README list, in this order.
	{
		keys: ['Enter'],
		modes: ['steps'],
		help: 'run the next step, or move on (causes, fix, end)',
		footer: enterLabel,
		priority: 0,
		waits: true,
		run: (_c, {actions}) => actions.next(),
	},
	{keys: ['Up', 'Down'], modes: ['steps'], help: 'show another step', footer: 'step', priority: 3, run: (c, effects, key) => moveStep(c, effects, key.name === 'Up' ? -1 : 1)},
	{
		keys: ['Right'],
		modes: ['steps'],
		help: 'the rows of the result shown: ↑ ↓ pick one, Enter or → opens its detail (every column, in full), ← or Esc goes back',
		footer: c => (c.screen.entries.length === 1 ? 'detail' : 'rows'),
		priority: 1,
		when: c => c.screen.entries.length > 0,
		run: (c, effects) => pickRow(effects, 0, c.screen.entries.length === 1),
	},
	{
		keys: ['Up', 'Down'],
		modes: ['causes', 'pick'],
		help: 'in the causes and other lists: move, Enter picks',
		when: c => Boolean(c.screen.list),
		run(c, {dispatch}, key) {
			const count = c.screen.list!.items.length;
			dispatch({type: 'list', index: Math.max(0, Math.min(count - 1, c.guide.list + (key.name === 'Up' ? -1 : 1)))});
		},
	},
	{
		keys: ['PgUp', 'PgDn', 'j', 'k'],
		modes: [...panels, 'help'],
		help: 'scroll the panel',
		footer: c => (c.screen.maxScroll > 0 ? 'scroll' : undefined),
		priority: 3,
		run(c, {dispatch}, key) {
			const by = key.name === 'PgDn' ? c.screen.page : key.name === 'PgUp' ? -c.screen.page : key.name === 'j' ? 1 : -1;
			dispatch({type: 'scroll', by, max: c.screen.maxScroll});
		},
	},
	{
		keys: ['r'],
		modes: stepModes,
		help: 're-run the step shown',
		footer: c => (c.running ? undefined : 're-run'),
		priority: 2,
		waits: true,
		when: c => c.guide.view !== 'causes' && (target(c)?.status ?? 'pending') !== 'pending',
		run: (_c, {actions}) => actions.rerun(),
	},
	{
		keys: ['t', 'Space'],
		modes: stepModes,
		help: 'tick off a manual step',
		footer: 'tick off',
		priority: 1,
		when: c => target(c)?.status === 'manual' && !target(c)?.done,
		run: (_c, {actions}) => actions.tick(),
	},
	{
		keys: ['n'],
		modes: stepModes,
		help: 'add a note to the step shown (Enter saves, Esc cancels)',
		footer: 'note',
		priority: 2,
		when: c => Boolean(target(c)),
		run(c, {actions, dispatch}) {
			const note = target(c)?.note ?? '';
			actions.overlay('note');
			if (note) dispatch({type: 'input', edit: {type: 'insert', text: note}});
		},
	},
	{
		keys: ['l'],
		modes: ['steps'],
		help: 'a log pg500 could not read: type its path',
		footer: 'log file',
		priority: 1,
		waits: true,
		when: c => Boolean(logHere(c)),
		run: (_c, {actions}) => actions.log.askPath(),
	},
	{
		keys: ['x'],
		modes: ['steps'],
		help: `the denokv log: pick a command that prints it (\`docker logs\`, \`journalctl\`, \`kubectl logs\`, or your own); the exact command line is shown and runs only after \`y\` (${defaultCaptureLimits.timeoutMs / 1000} s timeout, ${defaultCaptureLimits.maxBytes / (1 << 20)} MB cap; at the limit it is killed with everything it started, even what left its session)`,
		footer: 'run a command',
		priority: 2,
		waits: true,
		when: c => Boolean(logHere(c)?.commands),
		run: (_c, {actions}) => actions.log.askCommand(),
	},
	{
		keys: ['1', '2', '3', '4', '5', '6', '7', '8', '9'],
		modes: ['steps'],
		help: "in the fix view: that action's confirmation — the exact SQL with its values, and what it touches; typing yes and Enter runs it, anything else cancels",
		footer: c => (actionsOf(c).some(a => a.ready.length > 0) ? 'act' : undefined),
		footerKeys: [`1-${maxActionsPerFix}`],
		priority: 1,
		// Typed ahead while the fix's checks run, a digit waits for them (and its action's privileges).
		waits: true,
		when: c => actionsOf(c).length > 0,
		run: (_c, {actions}, key) => actions.openAction(Number(key.name)),
	},
	{
		keys: ['v'],
		modes: ['steps'],
		help: "verify: run the chosen cause's evidence steps again and show each figure before → after (cleared only when every one is normal)",
		footer: 'verify',
		priority: 1,
		waits: true,
		when: c => Boolean(c.run.chosenFix),
		run: (_c, {actions}) => actions.verify(),
	},
	{
		keys: ['u'],
		modes: ['steps'],
		help: 'connect as another role or URL (a superuser through the reserved slots when every slot is taken); the password is typed hidden and never kept',
		footer: 'reconnect as…',
		priority: 2,
		waits: true,
		when: c => Boolean(c.extras.reconnect) && (c.guide.view === 'fix' || slotsFull(c)),
		run: (_c, {actions}) => actions.askLogin(),
	},
	{keys: ['c'], modes: [...stepModes, 'reveal'], help: 'the ranked causes and the choice of fix', footer: 'causes', priority: 2, run: (_c, {actions}) => actions.show('causes')},
	{keys: ['f'], modes: panels, help: 'the chosen fix and its follow-up checks', footer: 'fix', priority: 2, when: c => Boolean(c.run.chosenFix) && c.guide.view !== 'fix', run: (_c, {actions}) => actions.show('fix')},
	{
		keys: ['a'],
		modes: [...stepModes, 'causes'],
		help: '(drill quiz) name the cause, then see the answer',
		footer: c => (c.reveal ? 'the answer' : 'name the cause'),
		priority: 1,
		waits: true,
		when: c => c.extras.quiz,
		run: (_c, {actions}) => actions.openQuiz(),
	},
	{keys: ['Esc'], modes: ['causes'], footer: 'steps', priority: 1, run: (_c, {actions}) => actions.show('step')},
	{
		keys: ['w'],
		modes: panels,
		help: 'watch the incident live: the figures that tell the causes apart, a sample every 2 s, each with its trend over a sparkline coloured by the runbook’s thresholds; w or Esc closes it, and sampling stops',
		footer: 'watch',
		priority: 2,
		when: c => c.extras.watch ?? false,
		run: (_c, {actions}) => actions.watch(true),
	},
	{keys: ['w', 'Esc'], modes: ['watch'], footer: 'close the watch', priority: 0, run: (_c, {actions}) => actions.watch(false)},
	{keys: ['e'], modes: [...panels, 'watch'], help: 'export the report: its path and the summary for the incident channel (y copies it)', footer: 'export', priority: 2, run: (_c, {actions}) => void actions.exportReport()},
	// The report just written and its summary.
	{
		keys: ['y'],
		modes: ['export'],
		help: 'after e: put the summary for the incident channel on the clipboard, through the terminal (OSC 52: over SSH too; in tmux with set-clipboard on); only when pressed',
		footer: 'copy the summary',
		priority: 0,
		run: (_c, {actions}) => actions.copySummary(),
	},
	{keys: ['Esc', 'Enter'], modes: ['export'], footer: 'close', priority: 0, run: (_c, {actions}) => actions.overlay()},
	{keys: ['?'], modes: [...panels, 'watch'], help: 'help: every key', footer: 'help', priority: 0, run: (_c, {actions}) => actions.overlay('help')},
	{keys: ['q'], modes: [...panels, 'watch', 'help', 'export'], help: 'quit (asks when notes are not in a report yet)', footer: 'quit', priority: 0, run: (_c, {actions}) => actions.quit()},
	{
		keys: ['Ctrl-C'],
		modes: ['input', 'confirm', 'pick', 'quit', 'help', 'export', 'watch', ...panels],
		help: 'stop now: the journal is kept and a partial report written',
		run: (_c, {actions}) => actions.interrupt(),
	},
	// While typing: editing, and every printable key is text (a pasted line can carry control characters; the note goes into reports and the journal).
	{
		keys: ['Backspace', 'Ctrl-W', 'Ctrl-U'],
		modes: ['input'],
		help: 'while typing a note or a path: delete a character, a word (Ctrl-W), the line (Ctrl-U)',
		run(_c, {dispatch}, key) {
			dispatch({type: 'input', edit: key.name === 'Ctrl-W' ? {type: 'delete-word'} : key.name === 'Ctrl-U' ? {type: 'clear'} : {type: 'delete-back'}});
		},
	},
	{keys: ['text'], modes: ['input'], run: (_c, {dispatch}, key) => dispatch({type: 'input', edit: {type: 'insert', text: escapeUntrusted(key.text ?? '')}})},
];

const matches = (binding: Binding, key: KeyPress) => binding.keys.includes(key.name) || (binding.keys.includes('text') && key.text !== undefined);

/** The binding a key triggers now, if any. */
export function bindingFor(key: KeyPress, c: KeyContext): Binding | undefined {
	const mode = modeOf(c.guide);
	return keymap.find(b => b.modes.includes(mode) && matches(b, key) && (b.when?.(c) ?? true));
}

export function waitsNow(binding: Binding, c: KeyContext): boolean {
	const waits = typeof binding.waits === 'function' ? binding.waits(c) : (binding.waits ?? false);
	return waits && c.running !== undefined;
}

const arrows: Record<string, string> = {Up: '↑', Down: '↓', Left: '←', Right: '→'};

/** How a key reads: arrows as arrows (their names without UTF-8). */
export function keyName(key: string, glyphs: Glyphs): string {
	return glyphs.unicode ? (arrows[key] ?? key) : key;
}

/** Keys of one hint: `↑↓`, `Enter/→`, `PgUp/PgDn/j/k`, a list's `↑↓ Enter`. */
export function keysLabel(keys: string[], glyphs: Glyphs): string {
	const upDown = keys.includes('Up') && keys.includes('Down');
	const rest = keys.filter(k => !upDown || (k !== 'Up' && k !== 'Down')).map(k => keyName(k, glyphs));
	const arrows = upDown ? (glyphs.unicode ? '↑↓' : 'Up/Down') : '';
	return [arrows, rest.join('/')].filter(Boolean).join(' ');
}

/** What the footer offers now, in the keymap's order; while a step runs, that first. */
export function footerHints(c: KeyContext, glyphs: Glyphs): Hint[] {
	const mode = modeOf(c.guide);
	const hints: Hint[] = [];
	if (c.running && ['steps', 'rows', 'detail', 'causes'].includes(mode)) hints.push({text: `running ${c.running}…`, priority: 0});
	const seen = new Set<string>();
	for (const b of keymap) {
		if (!b.modes.includes(mode) || !(b.when?.(c) ?? true) || b.footer === undefined) continue;
		const label = typeof b.footer === 'function' ? b.footer(c) : b.footer;
		const keys = keysLabel(b.footerKeys ?? b.keys, glyphs);
		// The same key twice (Esc of a mode and of a panel): the first wins, as in bindingFor.
		if (!label || seen.has(keys)) continue;
		seen.add(keys);
		hints.push({text: `${keys} ${label}`, priority: b.priority ?? 2});
	}
	return hints;
}

/** Every key with what it does, for `?` and the README: keys as a person reads them (`↑ ↓`, `PgUp PgDn j k`). */
export function helpRows(glyphs: Glyphs): {keys: string; help: string}[] {
	return keymap.filter(b => b.help).map(b => ({keys: b.keys.map(k => (k === 'Space' ? 'Space' : keyName(k, glyphs))).join(' '), help: b.help!}));
}
