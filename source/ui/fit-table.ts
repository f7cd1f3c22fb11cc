import type {Row, Value} from '../engine/types.ts';
import {fitText} from './lines.ts';

/* Result rows as a compact table that fits the panel: columns shrink from the
 * widest down to a minimum, then the last ones are dropped and counted. */

const gap = 2;
const minColumn = 4;
const maxColumn = 40;

export interface FittedTable {
	header: string;
	rows: string[];
	/** Columns that did not fit. */
	hidden: number;
}

function cell(value: Value | undefined): string {
	if (value === null || value === undefined) return '';
	if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(2);
	return String(value);
}

export function fitTable(columns: string[], rows: Row[], width: number, ellipsis: string): FittedTable {
	const cells = rows.map(row => columns.map(c => cell(row[c])));
	const numeric = columns.map(c => rows.length > 0 && rows.every(r => typeof r[c] === 'number' || r[c] === null));
	let shown = columns.length;
	let widths = columns.map((c, i) => Math.min(maxColumn, Math.max(c.length, ...cells.map(r => [...r[i]!].length))));
	const total = (n: number) => widths.slice(0, n).reduce((a, b) => a + b, 0) + gap * Math.max(0, n - 1);

	while (total(shown) > width) {
		const visible = widths.slice(0, shown);
		const widest = Math.max(...visible);
		if (widest > minColumn) widths = widths.map((w, i) => (i < shown && w === widest ? w - 1 : w));
		else if (shown > 1) shown--;
		else break;
	}

	const line = (values: string[]) =>
		values
			.slice(0, shown)
			.map((v, i) => {
				const text = fitText(v, widths[i]!, ellipsis);
				return numeric[i] ? text.padStart(widths[i]!) : text.padEnd(widths[i]!);
			})
			.join(' '.repeat(gap))
			.trimEnd();
	return {
		header: fitText(line(columns), width, ellipsis),
		rows: cells.map(r => fitText(line(r), width, ellipsis)),
		hidden: columns.length - shown,
	};
}
