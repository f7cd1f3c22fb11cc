import cellWidth from '../text/cell-width.ts';
import type {Line} from '../ui/lines.ts';

/* A frame as the terminal holds it: rows of cells, each a character and
 * its style (the SGR parameters in force, canonical, '' for none). Two
 * frames as grids can be compared cell by cell, so only what changed is
 * sent (cell-diff.ts). A grid is built from the view's lines, or from the
 * text Ink writes for a frame. */

export interface Cell {
	/** One grapheme; '' for the second cell of a wide character. */
	ch: string;
	sgr: string;
}

export type Grid = Cell[][];

export const blank: Cell = {ch: ' ', sgr: ''};

let segmenter: Intl.Segmenter | undefined;
const graphemes = (text: string) => [...(segmenter ??= new Intl.Segmenter(undefined, {granularity: 'grapheme'})).segment(text)].map(s => s.segment);
const printableAscii = /^[\u0020-\u007e]*$/;

/** Appends `text` in `sgr` to `row`, as wide as the terminal draws it, up to `columns` cells. */
function put(row: Cell[], text: string, sgr: string, columns: number): void {
	if (printableAscii.test(text)) {
		for (const ch of text) if (row.length < columns) row.push({ch, sgr});
		return;
	}
	for (const ch of graphemes(text)) {
		const width = cellWidth(ch);
		if (width === 0) continue;
		if (row.length + width > columns) return;
		row.push({ch, sgr});
		if (width === 2) row.push({ch: '', sgr});
	}
}

function padded(row: Cell[], columns: number): Cell[] {
	while (row.length < columns) row.push(blank);
	return row;
}

const foreground: Record<string, string> = {black: '30', red: '31', green: '32', yellow: '33', blue: '34', magenta: '35', cyan: '36', white: '37', gray: '90', grey: '90'};

/** The lines of a view as a grid; `color` false keeps bold and dim, drops colours (NO_COLOR). */
export function gridFromLines(lines: readonly Line[], columns: number, color: boolean): Grid {
	return lines.map(line => {
		const row: Cell[] = [];
		for (const s of line.segments) {
			put(row, s.text, canonical({bold: s.bold, dim: s.dim, inverse: s.inverse, fg: color && s.color ? foreground[s.color] : undefined}), columns);
		}
		return padded(row, columns);
	});
}

interface Style {
	bold?: boolean;
	dim?: boolean;
	italic?: boolean;
	underline?: boolean;
	inverse?: boolean;
	strike?: boolean;
	fg?: string;
	bg?: string;
}

/** The SGR parameters of a style, in one order: equal styles have equal strings. */
function canonical(style: Style): string {
	const codes: string[] = [];
	if (style.bold) codes.push('1');
	if (style.dim) codes.push('2');
	if (style.italic) codes.push('3');
	if (style.underline) codes.push('4');
	if (style.inverse) codes.push('7');
	if (style.strike) codes.push('9');
	if (style.fg) codes.push(style.fg);
	if (style.bg) codes.push(style.bg);
	return codes.join(';');
}

/** Applies one SGR sequence's parameters to `style`; false for one this model does not know. */
function applySgr(style: Style, params: string): boolean {
	const codes = params === '' ? [0] : params.split(';').map(Number);
	for (let i = 0; i < codes.length; i++) {
		const c = codes[i]!;
		if (c === 0) for (const key of Object.keys(style)) delete style[key as keyof Style];
		else if (c === 1) style.bold = true;
		else if (c === 2) style.dim = true;
		else if (c === 3) style.italic = true;
		else if (c === 4) style.underline = true;
		else if (c === 7) style.inverse = true;
		else if (c === 9) style.strike = true;
		else if (c === 22) style.bold = style.dim = false;
		else if (c === 23) style.italic = false;
		else if (c === 24) style.underline = false;
		else if (c === 27) style.inverse = false;
		else if (c === 29) style.strike = false;
		else if ((c >= 30 && c <= 37) || (c >= 90 && c <= 97)) style.fg = String(c);
		else if (c === 39) style.fg = undefined;
		else if ((c >= 40 && c <= 47) || (c >= 100 && c <= 107)) style.bg = String(c);
		else if (c === 49) style.bg = undefined;
		else if (c === 38 || c === 48) {
			// 38;5;n or 38;2;r;g;b: kept whole as the colour.
			const take = codes[i + 1] === 5 ? 2 : codes[i + 1] === 2 ? 4 : -1;
			if (take < 0 || i + take >= codes.length) return false;
			const value = codes.slice(i, i + take + 1).join(';');
			if (c === 38) style.fg = value;
			else style.bg = value;
			i += take;
		} else return false;
	}
	return true;
}

// An SGR sequence, any other CSI sequence, any other escape.
const token = /\u001b\[([0-9;]*)m|\u001b\[[0-9;?]*[A-Za-z]|\u001b[^[]|[^\u001b]+/g;

/**
 * A frame of text with SGR styling (what Ink writes) as a grid; undefined
 * when it holds anything else (a cursor move, a mode change, a control
 * character), which only a full redraw can reproduce.
 */
export function gridFromAnsi(frame: string, columns: number): Grid | undefined {
	const grid: Grid = [];
	const style: Style = {};
	for (const text of frame.split('\n')) {
		const row: Cell[] = [];
		for (const match of text.matchAll(token)) {
			if (match[1] !== undefined) {
				if (!applySgr(style, match[1])) return undefined;
				continue;
			}
			const piece = match[0];
			if (piece.startsWith('\u001b') || /[\u0000-\u001f\u007f]/.test(piece)) return undefined;
			put(row, piece, canonical(style), columns);
		}
		grid.push(padded(row, columns));
	}
	return grid;
}
