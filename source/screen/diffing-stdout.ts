import {diffGrids} from './cell-diff.ts';
import {gridFromAnsi, type Grid} from './cells.ts';

/* Standard output as Ink sees it, sending only the cells that changed.
 * Ink redraws a frame by erasing every line of the last one and writing the
 * new one whole: a live view refreshed every two seconds over a slow SSH
 * link would send the screen each time. Each frame Ink writes is compared
 * with the last, cell by cell, and only the difference goes to the
 * terminal; the screen ends exactly as Ink's full write would leave it
 * (cursor included), so Ink's own bookkeeping stays true. A write that is
 * not such a frame, or a frame of another size, goes through as it is. */

// What Ink writes around a frame that changes nothing on screen: synchronized output, the cursor hidden or shown.
const harmless = new Set(['\u001b[?2026h', '\u001b[?2026l', '\u001b[?25l', '\u001b[?25h']);
// ansi-escapes' eraseLines(n): n times "erase the line", with "up one" between, then "to column 1".
const eraseLines = /^((?:\u001b\[2K(?:\u001b\[1A)?)*)(?:\u001b\[G)?/;

export interface FrameStats {
	/** Bytes sent for each frame, newest last. */
	readonly written: number[];
}

export function diffingStdout(stdout: NodeJS.WriteStream): NodeJS.WriteStream & FrameStats {
	let last: Grid | undefined;
	const written: number[] = [];
	// Before Ink's own listener: the frame after a resize is written whole (the terminal may have reflowed the old one).
	stdout.on('resize', () => (last = undefined));

	const send = (text: string, callback?: (error?: Error | null) => void): boolean => {
		written.push(Buffer.byteLength(text));
		return stdout.write(text, callback);
	};

	const write = (chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
		const done = (typeof encoding === 'function' ? encoding : callback) as ((error?: Error | null) => void) | undefined;
		if (typeof chunk !== 'string' || harmless.has(chunk)) return stdout.write(chunk as string, done);
		const erase = eraseLines.exec(chunk)!;
		const erased = (erase[1]!.match(/\u001b\[2K/g) ?? []).length;
		const frame = chunk.slice(erase[0].length);
		const columns = stdout.columns || 80;
		const grid = frame.endsWith('\n') ? gridFromAnsi(frame.slice(0, -1), columns) : undefined;
		const previous = last;
		last = grid;
		// Ink erases the lines it wrote (the frame's, and the one its last newline opened) before it writes the next.
		if (!grid || !previous || previous.length !== grid.length || erased !== grid.length + 1 || previous[0]?.length !== grid[0]?.length) return send(chunk, done);
		// The cursor is where the full write would leave it: at the start of the line under the frame.
		const cursor = {row: grid.length, col: 0};
		const change = diffGrids(previous, grid, cursor, cursor);
		if (change === '') {
			if (done) process.nextTick(done);
			return true;
		}
		return send(change, done);
	};

	return new Proxy(stdout, {
		get(target, property) {
			if (property === 'write') return write;
			if (property === 'written') return written;
			const value = Reflect.get(target, property, target) as unknown;
			return typeof value === 'function' ? value.bind(target) : value;
		},
	}) as NodeJS.WriteStream & FrameStats;
}
