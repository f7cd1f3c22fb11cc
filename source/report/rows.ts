import type {Row, Value} from '../engine/types.ts';
import {countWord, tableColumns} from './format.ts';
import type {JsonStep} from './json.ts';

/* A report is read, not scrolled: a step's table shows the rows that carry
 * its findings (the locks step's summary and root blocker, not fifty waiters'
 * UPDATE text), or the first few when nothing was found, and counts the rest.
 * Columns empty in every row shown are left out. The JSON report keeps them all. */

/** Rows shown for a step that found nothing (and has no brief that already gives its figures). */
const rowsWithoutFindings = 5;
/** From this many rows shown, a column with one value in all of them is said once, above the table. */
const sameFrom = 3;

export interface ShownRows {
	columns: string[];
	rows: Row[];
	/** Columns with the same value in every row shown (lifted out of the table): the fifth UPDATE text says nothing new. */
	same: [string, Value][];
	/** Rows kept in the report but not shown (the HTML folds them away). */
	folded: Row[];
	/** "16 more rows (16 waiter)", or '' when every row is shown. */
	rest: string;
}

const empty = (value: unknown) => value === null || value === undefined || value === '';

/** The rows of a step that made a warning or a critical finding. */
function evidenceRows(step: JsonStep): Set<number> {
	const alarming = new Set(step.findings.filter(f => f.severity !== 'info').map(f => JSON.stringify(f.evidence)));
	const picked = new Set<number>();
	step.rows.forEach((row, i) => {
		if (alarming.has(JSON.stringify(row))) picked.add(i);
	});
	return picked;
}

/**
 * The rows that carry a warning or critical finding; for a step that found
 * nothing, none when its brief already gives the figures, else the first few.
 */
export function rowsToShow(step: JsonStep): ShownRows {
	const picked = evidenceRows(step);
	const keep = (i: number) => (picked.size > 0 ? picked.has(i) : !step.brief && i < rowsWithoutFindings);
	const rows = step.rows.filter((_, i) => keep(i));
	const folded = step.rows.filter((_, i) => !keep(i));
	const used = tableColumns(step).filter(c => rows.some(row => !empty(row[c])));
	const same: [string, Value][] =
		rows.length >= sameFrom ? used.filter(c => rows.every(row => row[c] === rows[0]![c])).map(c => [c, rows[0]![c]!]) : [];
	const varying = used.filter(c => !same.some(([name]) => name === c));
	return {columns: varying.length > 0 ? varying : used, rows, same: varying.length > 0 ? same : [], folded, rest: restOf(step, rows.length, folded)};
}

/** What the rows not shown are: how many, of which kind when the rows say (`kind`), and how many the report did not keep. */
function restOf(step: JsonStep, shown: number, folded: Row[]): string {
	const notKept = step.rowCount - step.rows.length;
	if (folded.length === 0 && notKept <= 0) return '';
	const kinds = new Map<string, number>();
	for (const row of folded) if (typeof row['kind'] === 'string') kinds.set(row['kind'], (kinds.get(row['kind']) ?? 0) + 1);
	const byKind = kinds.size > 0 ? ` (${[...kinds].map(([kind, n]) => `${n} ${kind}`).join(', ')})` : '';
	const parts = [folded.length > 0 ? `${countWord(folded.length, shown > 0 ? 'more row' : 'row')}${byKind}` : '', notKept > 0 ? `${notKept} beyond the ${step.rows.length} kept` : ''];
	return parts.filter(Boolean).join('; ');
}
