import type {Severity, StepStatus} from '../engine/types.ts';

/* Severity is always carried by a symbol as well as a colour, so NO_COLOR and
 * colour-blind operators lose nothing. A terminal whose locale is not UTF-8
 * (a bare `C` locale on an old bastion) gets ASCII instead of boxes of tofu:
 * the symbols below, and every other text on the screen through `toAscii`
 * (the runbook's prose and the database's text have dashes and ellipses too). */

export interface Glyphs {
	unicode: boolean;
	ok: string;
	warning: string;
	critical: string;
	info: string;
	error: string;
	pending: string;
	skipped: string;
	manual: string;
	done: string;
	current: string;
	ellipsis: string;
	separator: string;
	/** Between hints and facts on one line. */
	dot: string;
	star: string;
	/** A tree's branches: a child, the last child, a line down past a child. */
	tree: {branch: string; last: string; pipe: string};
	spinner: 'dots' | 'line';
}

const unicodeGlyphs: Glyphs = {
	unicode: true,
	ok: '✔',
	warning: '⚠',
	critical: '✖',
	info: 'ℹ',
	error: '✖',
	pending: '·',
	skipped: '-',
	manual: '☐',
	done: '☑',
	current: '▸',
	ellipsis: '…',
	separator: '│',
	dot: '·',
	star: '★',
	tree: {branch: '├─ ', last: '└─ ', pipe: '│  '},
	spinner: 'dots',
};

const asciiGlyphs: Glyphs = {
	unicode: false,
	ok: 'ok',
	warning: '!',
	critical: 'x',
	info: 'i',
	error: 'x',
	pending: '.',
	skipped: '-',
	manual: '[ ]',
	done: '[x]',
	current: '>',
	ellipsis: '~',
	separator: '|',
	dot: '-',
	star: '*',
	tree: {branch: '|- ', last: '`- ', pipe: '|  '},
	spinner: 'line',
};

/** The locale as the C library picks it: LC_ALL, then LC_CTYPE, then LANG. */
export function isUtf8Locale(env: NodeJS.ProcessEnv): boolean {
	const locale = [env['LC_ALL'], env['LC_CTYPE'], env['LANG']].find(v => v !== undefined && v !== '');
	return locale !== undefined && /utf-?8/i.test(locale);
}

export function glyphsFor(env: NodeJS.ProcessEnv): Glyphs {
	return isUtf8Locale(env) ? unicodeGlyphs : asciiGlyphs;
}

/** Colour is off for --no-color and for NO_COLOR set to anything non-empty (no-color.org). */
export function colorWanted(option: boolean, env: NodeJS.ProcessEnv): boolean {
	return option && !env['NO_COLOR'];
}

const asciiFor: Record<string, string> = {
	'—': '-',
	'–': '-',
	'−': '-',
	'…': '...',
	'·': '-',
	'•': '*',
	'‘': "'",
	'’': "'",
	'“': '"',
	'”': '"',
	'×': 'x',
	'→': '->',
	'←': '<-',
	'↑': '^',
	'↓': 'v',
	'≥': '>=',
	'≤': '<=',
	'≠': '!=',
	'★': '*',
	'▸': '>',
	'❯': '>',
	'│': '|',
	'\u00a0': ' ',
};

// Anything outside printable ASCII.
const nonAscii = /[^\u0020-\u007e]/gu;

/** The text as a terminal without UTF-8 can show it: punctuation spelled in ASCII, accents dropped, the rest `?`. */
export function toAscii(text: string): string {
	if (!/[^\u0020-\u007e]/.test(text)) return text;
	return text.replace(nonAscii, ch => asciiFor[ch] ?? (ch.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(nonAscii, '') || '?'));
}

export const severityColor: Record<Severity | 'ok' | 'error', string> = {
	ok: 'green',
	info: 'cyan',
	warning: 'yellow',
	critical: 'red',
	error: 'magenta',
};

/** The symbol and colour of a step's status in the checklist. */
export function statusMark(status: StepStatus, done: boolean | undefined, glyphs: Glyphs): {symbol: string; color?: string} {
	switch (status) {
		case 'ok':
			return {symbol: glyphs.ok, color: severityColor.ok};
		case 'warning':
			return {symbol: glyphs.warning, color: severityColor.warning};
		case 'critical':
			return {symbol: glyphs.critical, color: severityColor.critical};
		case 'error':
			return {symbol: glyphs.error, color: severityColor.error};
		case 'manual':
			return {symbol: done ? glyphs.done : glyphs.manual, color: done ? severityColor.ok : 'blue'};
		case 'skipped':
			return {symbol: glyphs.skipped};
		case 'running':
			return {symbol: glyphs.current, color: 'cyan'};
		case 'pending':
			return {symbol: glyphs.pending};
	}
}
