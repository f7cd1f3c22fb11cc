import type {Row} from '../engine/types.ts';
import cellWidth from '../text/cell-width.ts';
import {keptBeforeCut} from '../text/escape.ts';
import {toAscii, type Glyphs} from './glyphs.ts';

/* Every panel is built as a list of single lines, each already fitted to the
 * width. Nothing can wrap into garbage at 80×24, and scrolling a panel is
 * slicing a list. Builders are pure; line-view.tsx only renders.
 *
 * Widths are terminal cells, not code points: a CJK character or an emoji
 * in an application name takes two (text/cell-width.ts: string-width's count, faster).
 * Every text reaches the screen through `shown`, so a terminal without UTF-8
 * gets it in ASCII. */

export interface Segment {
	text: string;
	color?: string;
	bold?: boolean;
	dim?: boolean;
	inverse?: boolean;
	/** A spinner in place of the text (one cell; only while a step runs). */
	spinner?: boolean;
}

/** What a row's line opens on → or Enter: every column of the row, in full. */
export interface Detail {
	/** The step's title. */
	step: string;
	/** `row 3`, `pid 901`, a column's name in a transposed table. */
	name: string;
	columns: string[];
	values: Row;
}

export interface Line {
	key: string;
	segments: Segment[];
	/** A result row: the line can be picked, and opens this. */
	detail?: Detail;
}

let segmenter: Intl.Segmenter | undefined;
/** Whole characters as a terminal draws them: an emoji with its joiners, a letter with its accents. */
const graphemes = (text: string) => [...(segmenter ??= new Intl.Segmenter(undefined, {granularity: 'grapheme'})).segment(text)].map(s => s.segment);
const widths = new Map<string, number>();
const printableAscii = /^[\u0020-\u007e]*$/;

/** Terminal cells `text` takes. A frame measures the same texts again and again: cached (as Gemini CLI does with string-width). */
export function textWidth(text: string): number {
	if (printableAscii.test(text)) return text.length;
	let width = widths.get(text);
	if (width === undefined) {
		if (widths.size >= 10_000) widths.clear();
		width = cellWidth(text);
		widths.set(text, width);
	}
	return width;
}

/** The text as this terminal shows it: ASCII when the locale is not UTF-8. */
export function shown(text: string, glyphs: Glyphs): string {
	return glyphs.unicode ? text : toAscii(text);
}

/**
 * Shortens text to `width` cells, marking the cut with the ellipsis. A cut
 * never ends in a number (`pid 90…` would read as a pid): it moves back to
 * before the number, so what is shown is whole or absent.
 */
export function fitText(text: string, width: number, glyphs: Glyphs): string {
	const own = shown(text, glyphs);
	if (textWidth(own) <= width) return own;
	if (width <= 1) return width === 1 ? glyphs.ellipsis : '';
	// Whole characters (an emoji with its joiners is one) up to a cell short of the width: the ellipsis takes one.
	let kept = '';
	let used = 0;
	for (const segment of graphemes(own)) {
		const w = textWidth(segment);
		if (used + w > width - 1) break;
		kept += segment;
		used += w;
	}
	// No cell to spare for a space before the ellipsis: a number at the cut goes.
	return `${keptBeforeCut(kept, '', 'no-space')}${glyphs.ellipsis}`;
}

/**
 * Word-wraps prose to `width` cells; a word longer than the width is broken,
 * never cut. (wrap-ansi, which Ink ships, took a fifth of the first frame:
 * it looks for escape codes our text never has.)
 */
export function wrapText(text: string, width: number, glyphs: Glyphs): string[] {
	const room = Math.max(1, width);
	const out: string[] = [];
	for (const paragraph of shown(text, glyphs).split('\n')) {
		let line = '';
		let used = 0;
		for (const word of paragraph.split(/\s+/).filter(Boolean)) {
			const w = textWidth(word);
			if (line !== '' && used + 1 + w <= room) {
				line += ` ${word}`;
				used += 1 + w;
				continue;
			}
			if (line !== '') out.push(line);
			if (w <= room) [line, used] = [word, w];
			else {
				const pieces = breakText(word, room, glyphs);
				out.push(...pieces.slice(0, -1));
				[line, used] = [pieces.at(-1)!, textWidth(pieces.at(-1)!)];
			}
		}
		out.push(line);
	}
	return out;
}

/**
 * Exact text (a command, a value) cut into pieces of `width` cells, keeping
 * every character and space: what is shown is what runs. A piece ends after
 * a space when there is one in its last part, so words stay whole.
 */
export function breakText(text: string, width: number, glyphs: Glyphs): string[] {
	const own = shown(text, glyphs);
	const room = Math.max(1, width);
	if (textWidth(own) <= room) return [own];
	const out: string[] = [];
	let line: string[] = [];
	let used = 0;
	for (const ch of graphemes(own)) {
		const w = textWidth(ch);
		if (used + w > room && line.length > 0) {
			const space = line.lastIndexOf(' ');
			const at = space >= Math.floor(line.length * 0.6) ? space + 1 : line.length;
			out.push(line.slice(0, at).join(''));
			line = line.slice(at);
			used = textWidth(line.join(''));
		}
		line.push(ch);
		used += w;
	}
	out.push(line.join(''));
	return out;
}

/** Pads text with spaces to `width` cells, on the right or (for numbers) on the left. */
export function pad(text: string, width: number, align: 'left' | 'right' = 'left'): string {
	const room = ' '.repeat(Math.max(0, width - textWidth(text)));
	return align === 'left' ? text + room : room + text;
}

/** Cells a line takes. */
export function lineWidth(line: Line): number {
	return line.segments.reduce((n, s) => n + (s.spinner ? 1 : textWidth(s.text)), 0);
}

/** Truncates a line's segments so the whole line fits in `width` cells. */
export function fitLine(line: Line, width: number, glyphs: Glyphs): Line {
	let room = width;
	const segments: Segment[] = [];
	for (const segment of line.segments) {
		if (room <= 0) break;
		if (segment.spinner) {
			segments.push(segment);
			room -= 1;
			continue;
		}
		const text = fitText(segment.text, room, glyphs);
		segments.push({...segment, text});
		room -= textWidth(text);
	}
	return {...line, segments};
}

/** The line fitted and padded to exactly `width` cells, so lines side by side stay in their columns. */
export function padLine(line: Line, width: number, glyphs: Glyphs): Line {
	const fitted = fitLine(line, width, glyphs);
	const rest = width - lineWidth(fitted);
	const last = fitted.segments.at(-1);
	return rest > 0 ? {...fitted, segments: [...fitted.segments, {text: ' '.repeat(rest), inverse: last?.inverse}]} : fitted;
}

export function plain(key: string, text: string, style: Omit<Segment, 'text'> = {}): Line {
	return {key, segments: [{text, ...style}]};
}

/** Prose wrapped into lines, each with an optional prefix on the first line and an indent on the others. */
export function paragraph(key: string, text: string, width: number, glyphs: Glyphs, style: Omit<Segment, 'text'> = {}, prefix?: Segment): Line[] {
	const lead = prefix ? textWidth(shown(prefix.text, glyphs)) : 0;
	return wrapText(text, Math.max(8, width - lead), glyphs).map((chunk, i) => ({
		key: `${key}:${i}`,
		segments: [...(prefix ? [i === 0 ? prefix : {text: ' '.repeat(lead)}] : []), {text: chunk, ...style}],
	}));
}

/** Exact text (a shell command, a query) over as many lines as it needs: the first after `lead`, the others indented as far. */
export function exactLines(key: string, text: string, width: number, glyphs: Glyphs, lead: string, style: Omit<Segment, 'text'> = {}): Line[] {
	const indent = textWidth(shown(lead, glyphs));
	return text
		.split('\n')
		.flatMap(part => breakText(part, Math.max(8, width - indent), glyphs))
		.map((piece, i) => ({key: `${key}:${i}`, segments: [{text: i === 0 ? lead : ' '.repeat(indent)}, {text: piece, ...style}]}));
}
