import {test} from 'node:test';
import assert from 'node:assert/strict';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {gridFromAnsi, gridFromLines, type Grid} from '../../source/screen/cells.ts';
import type {Line, Segment} from '../../source/ui/lines.ts';
import {tmuxOn, tmuxSkip} from '../ui/tmux-support.ts';

/* The cell painter in a real terminal: frame after frame sent as only the
 * cells that changed — words that grow and shrink, wide characters, colours
 * that come and go — and the screen tmux shows at the end is exactly the
 * last frame, character and colour. */

/** A small deterministic generator (the same frames every run). */
function random(seed: number) {
	let state = seed;
	return (n: number) => {
		state = (state * 1103515245 + 12345) % 2 ** 31;
		return state % n;
	};
}

const words = ['slots', '12/97', '漢字', 'idle', '▁▂▃▄▅▆▇█', 'wait 1.5 s', '✔', '⚠ warn', '', 'x', 'データ', '→ +3'];
const colors = [undefined, 'red', 'yellow', 'green', 'cyan'];

function frames(count: number, rows: number, columns: number): Line[][] {
	const pick = random(42);
	return Array.from({length: count}, (_, f) =>
		Array.from({length: rows}, (_, r) => {
			const segments: Segment[] = [];
			let used = 0;
			// Most rows change a little between frames, some not at all, some a lot.
			const pieces = (r + f * (r % 3)) % 5;
			for (let i = 0; i < pieces && used < columns; i++) {
				const text = `${words[pick(words.length)]} `;
				used += text.length * 2;
				segments.push({text, ...(colors[pick(colors.length)] ? {color: colors[pick(colors.length)]} : {}), ...(pick(4) === 0 ? {bold: true} : {})});
			}
			return {key: String(r), segments};
		}),
	);
}

const socket = path.join(os.tmpdir(), `pg500-painter-${process.pid}`);

test('frames drawn as their changed cells end on screen exactly as the last frame', {skip: tmuxSkip}, async () => {
	const {tmux, waitForPane, kill} = tmuxOn(socket);
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pg500-painter-'));
	const [rows, columns] = [12, 40];
	const all = frames(40, rows, columns);
	writeFileSync(path.join(dir, 'frames.json'), JSON.stringify(all));
	const bytes = path.join(dir, 'bytes.json');
	try {
		tmux('new-session', '-d', '-s', 'paint', '-x', String(columns), '-y', String(rows + 1), `LANG=C.UTF-8 node --import tsx test/watch/fixtures/paint-frames.ts ${dir}/frames.json ${columns} 2>${bytes}`);
		await waitForPane('paint', () => readFileSync(bytes, 'utf8').includes(']'), 'the frames painted', 30_000);
		const expected: Grid = gridFromLines(all.at(-1)!, columns, true);
		const shown = gridFromAnsi(tmux('capture-pane', '-p', '-e', '-t', 'paint').replace(/\n$/, ''), columns)!;
		assert.ok(shown, 'the screen as cells');
		const textOf = (grid: Grid) => grid.map(row => row.map(c => c.ch).join('').trimEnd());
		assert.deepEqual(textOf(shown).slice(0, rows), textOf(expected));
		// Colours too: tmux reports what each cell looks like.
		const colourOf = (grid: Grid) => grid.map(row => row.filter(c => c.ch.trim() !== '').map(c => c.sgr).join(','));
		assert.deepEqual(colourOf(shown).slice(0, rows), colourOf(expected));
		// After the first, every frame cost less than drawing it whole.
		const written = JSON.parse(readFileSync(bytes, 'utf8')) as number[];
		assert.ok(written.slice(1).every(n => n < written[0]! * 1.5), written.join(' '));
	} finally {
		kill();
		rmSync(dir, {recursive: true, force: true});
	}
});
