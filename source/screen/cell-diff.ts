import type {Cell, Grid} from './cells.ts';

/* What to send a terminal to turn one frame into the next: only the cells
 * that changed, reached by relative cursor moves (the frame may sit
 * anywhere on the screen). Over a slow SSH link a live view that changes a
 * few figures a second costs tens of bytes, not the whole screen. */

/** A position in the frame: row 0 is its first line, whatever the screen's. */
export interface Cursor {
	row: number;
	col: number;
}

/** Unchanged cells between two changes that are rewritten rather than jumped over: a jump costs about as much. */
const maxGap = 3;

const same = (a: Cell | undefined, b: Cell | undefined) => a?.ch === b?.ch && a?.sgr === b?.sgr;
const isBlank = (c: Cell | undefined) => c === undefined || (c.ch === ' ' && c.sgr === '');
const sgrOf = (sgr: string) => (sgr === '' ? '\u001b[0m' : `\u001b[0;${sgr}m`);

class Writer {
	out = '';
	private sgr = '';

	constructor(
		public cursor: Cursor,
		private readonly columns: number,
	) {}

	moveTo(row: number, col: number): void {
		const down = row - this.cursor.row;
		if (down !== 0) this.out += `\u001b[${Math.abs(down) === 1 ? '' : Math.abs(down)}${down > 0 ? 'B' : 'A'}`;
		// After the last column the terminal waits to wrap: only an explicit column is safe.
		if (col !== this.cursor.col || this.cursor.col >= this.columns) this.out += col === 0 ? '\r' : `\u001b[${col + 1}G`;
		this.cursor = {row, col};
	}

	cell(cell: Cell, wide: boolean): void {
		if (cell.sgr !== this.sgr) {
			this.out += sgrOf(cell.sgr);
			this.sgr = cell.sgr;
		}
		this.out += cell.ch;
		this.cursor = {row: this.cursor.row, col: this.cursor.col + (wide ? 2 : 1)};
	}

	eraseToEnd(): void {
		this.plain();
		this.out += '\u001b[K';
	}

	plain(): void {
		if (this.sgr !== '') this.out += '\u001b[0m';
		this.sgr = '';
	}
}

/** Writes cells `from`…`to` of `row` (a wide character whole). */
function writeRun(w: Writer, row: Cell[], r: number, from: number, to: number): void {
	w.moveTo(r, from);
	for (let c = from; c <= to; c++) {
		const cell = row[c]!;
		if (cell.ch === '') continue;
		w.cell(cell, row[c + 1]?.ch === '');
	}
}

/**
 * The columns of `after` to rewrite, in runs. A wide character's first
 * cell always differs when it does (its second cell follows it), and one
 * written over half of an old wide character leaves the other half changed too.
 */
function changedRuns(before: Cell[], after: Cell[], end: number): [number, number][] {
	const runs: [number, number][] = [];
	for (let c = 0; c <= end; c++) {
		if (same(before[c], after[c])) continue;
		const last = runs.at(-1);
		if (last && c - last[1] - 1 <= maxGap) last[1] = c;
		else runs.push([c, c]);
	}
	return runs;
}

/**
 * The escapes that change the screen from `before` to `after` (grids of the
 * same size) with the cursor at `from`, leaving it at `to`. Empty when
 * nothing changed and the cursor is already there.
 */
export function diffGrids(before: Grid, after: Grid, from: Cursor, to: Cursor): string {
	const columns = after[0]?.length ?? 0;
	const w = new Writer(from, columns);
	after.forEach((row, r) => {
		const old = before[r] ?? [];
		let lastInk = row.length - 1;
		while (lastInk >= 0 && isBlank(row[lastInk])) lastInk--;
		for (const [a, b] of changedRuns(old, row, Math.min(row.length - 1, lastInk + 1))) writeRun(w, row, r, a, Math.min(b, lastInk));
		// The rest of the row is blank now: one erase clears whatever was there.
		if (old.slice(lastInk + 1).some(c => !isBlank(c))) {
			w.moveTo(r, lastInk + 1);
			w.eraseToEnd();
		}
	});
	w.plain();
	w.moveTo(to.row, to.col);
	return w.out;
}

/** A whole frame from the cursor's line on, each row written out (trailing blanks left off), the cursor left after the last row's last cell. */
export function fullFrame(grid: Grid): {text: string; cursor: Cursor} {
	const columns = grid[0]?.length ?? 0;
	const w = new Writer({row: 0, col: 0}, columns);
	let text = '\r\u001b[J';
	grid.forEach((row, r) => {
		if (r > 0) {
			w.plain();
			w.out += '\r\n';
			w.cursor = {row: r, col: 0};
		}
		let lastInk = row.length - 1;
		while (lastInk >= 0 && isBlank(row[lastInk])) lastInk--;
		if (lastInk >= 0) writeRun(w, row, r, 0, lastInk);
	});
	w.plain();
	text += w.out;
	return {text, cursor: w.cursor};
}
