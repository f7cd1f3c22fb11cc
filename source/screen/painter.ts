import {diffGrids, fullFrame, type Cursor} from './cell-diff.ts';
import type {Grid} from './cells.ts';

/* A live view drawn in place below the cursor, without Ink: the first frame
 * whole, each later one as the cells that changed. `pg500 watch` on a
 * terminal draws with it. */

export class Painter {
	private grid: Grid | undefined;
	private cursor: Cursor = {row: 0, col: 0};
	/** Bytes sent for each frame, newest last (what a slow link pays). */
	readonly written: number[] = [];

	constructor(private readonly write: (text: string) => void) {}

	paint(grid: Grid): void {
		const sameShape = this.grid && this.grid.length === grid.length && this.grid[0]?.length === grid[0]?.length;
		let text: string;
		if (sameShape) {
			// The cursor rests on the last row: where the next frame's changes are reached from.
			text = diffGrids(this.grid!, grid, this.cursor, this.cursor);
		} else {
			const frame = fullFrame(grid);
			text = frame.text;
			this.cursor = frame.cursor;
		}
		this.grid = grid;
		if (text === '') return;
		this.written.push(Buffer.byteLength(text));
		this.write(text);
	}

	/** The terminal changed size (its text may have reflowed): the next frame is drawn whole, on a cleared screen. */
	resized(): void {
		if (!this.grid) return;
		this.grid = undefined;
		this.write('\u001b[H\u001b[2J');
	}

	/** Leaves the cursor on a fresh line below the view, which stays on screen. */
	finish(): void {
		if (!this.grid) return;
		const down = this.grid.length - 1 - this.cursor.row;
		this.write(`${down > 0 ? `\u001b[${down}B` : ''}\r\n`);
		this.grid = undefined;
	}
}
