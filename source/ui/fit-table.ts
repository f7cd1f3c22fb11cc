import {formatValue} from '../engine/template.ts';
import type {Value} from '../engine/types.ts';
import type {Glyphs} from './glyphs.ts';
import {fitText, pad, shown, textWidth} from './lines.ts';

/* Result rows as a table that fits the panel, measured in terminal cells.
 * Values that must be read whole — numbers, pids, times, a tree's node —
 * keep their width; text columns shrink down to a few cells; then the last
 * columns are left out (the row's detail shows them). A header too long for
 * its column takes a second line, broken after `_`. */

export interface TableColumn {
	name: string;
	cells: string[];
	/** Never cut: numbers, ids, times, a tree's node column. */
	whole: boolean;
	align: 'left' | 'right';
}

export interface FittedTable {
	/** One or two lines. */
	header: string[];
	rows: string[];
	/** Columns left out for want of room. */
	hidden: string[];
}

const gap = 2;
const minText = 6;
const maxText = 40;

const numeric = /^-?\d+(\.\d+)?$/;
// What a reader takes in whole or not at all: 42, 12.5 %, 200ms, {901,902}, 901 902, 2024-05-01T03:12:44Z.
const atomic = [
	/^[-+]?\d[\d.,:]*\s?(ms|s|min|h|d|kB|MB|GB|TB|bytes|%)?$/,
	/^\{[\d,\s]*\}$/,
	/^[\d\s]+$/,
	/^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?)?(Z|[+-]\d\d(:?\d\d)?)?( UTC)?$/,
];

function isWhole(value: Value | undefined): boolean {
	if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') return true;
	return atomic.some(pattern => pattern.test(value));
}

/** A result column as the table shows it; `whole` for a column whose every value must not be cut. */
export function columnOf(name: string, values: (Value | undefined)[], options: {whole?: boolean} = {}): TableColumn {
	const present = values.filter(v => v !== null && v !== undefined);
	return {
		name,
		cells: values.map(v => (v === undefined ? '' : formatValue(v))),
		whole: options.whole ?? values.every(isWhole),
		align: present.length > 0 && present.every(v => typeof v === 'number' || (typeof v === 'string' && numeric.test(v))) ? 'right' : 'left',
	};
}

/** The header in one line, or two broken after `_`, `-` or a space (never leaving a scrap like `s`): the split that needs the fewest cells. */
function headerLines(name: string, width: number): string[] {
	if (textWidth(name) <= width) return [name];
	let best: string[] = [name];
	let bestWidth = textWidth(name);
	for (let i = 1; i < name.length; i++) {
		if (!/[_\- ]/.test(name[i - 1]!)) continue;
		const parts = [name.slice(0, i), name.slice(i)];
		if (parts.some(p => textWidth(p) < 4)) continue;
		const w = Math.max(...parts.map(textWidth));
		if (w < bestWidth) [best, bestWidth] = [parts, w];
	}
	return best;
}

const headerNeed = (name: string) => Math.max(...headerLines(name, 0).map(textWidth));

export function fitTable(columns: TableColumn[], width: number, glyphs: Glyphs): FittedTable {
	const own = columns.map(c => ({...c, name: shown(c.name, glyphs), cells: c.cells.map(cell => shown(cell, glyphs))}));
	const natural = own.map(c => Math.max(headerNeed(c.name), ...c.cells.map(textWidth)));
	let widths = own.map((c, i) => (c.whole ? natural[i]! : Math.min(maxText, natural[i]!)));
	const floor = own.map((c, i) => (c.whole ? widths[i]! : Math.min(widths[i]!, minText)));
	const sum = (values: number[], n: number) => values.slice(0, n).reduce((a, b) => a + b, 0) + gap * Math.max(0, n - 1);
	// The columns that fit at their narrowest; then the room they leave goes to text, widest first.
	let shownCount = own.length;
	while (shownCount > 1 && sum(floor, shownCount) > width) shownCount--;
	while (sum(widths, shownCount) > width) {
		const shrinkable = widths.map((w, i) => (i < shownCount && w > floor[i]! ? w : -1));
		const widest = Math.max(...shrinkable);
		if (widest <= 0) break;
		const at = shrinkable.indexOf(widest);
		widths = widths.map((w, i) => (i === at ? w - 1 : w));
	}

	const visible = own.slice(0, shownCount);
	const heads = visible.map((c, i) => headerLines(c.name, widths[i]!).map(part => fitText(part, widths[i]!, glyphs)));
	const headerHeight = Math.max(1, ...heads.map(h => h.length));
	const join = (cells: string[]) => cells.join(' '.repeat(gap)).trimEnd();
	const header = Array.from({length: headerHeight}, (_, line) =>
		join(visible.map((c, i) => pad(heads[i]![line - (headerHeight - heads[i]!.length)] ?? '', widths[i]!, c.align))),
	);
	const rowCount = Math.max(0, ...own.map(c => c.cells.length));
	const rows = Array.from({length: rowCount}, (_, r) =>
		join(visible.map((c, i) => pad(c.whole ? (c.cells[r] ?? '') : fitText(c.cells[r] ?? '', widths[i]!, glyphs), widths[i]!, c.align))),
	);
	return {header, rows, hidden: own.slice(shownCount).map(c => c.name)};
}
