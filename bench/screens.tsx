import {EventEmitter} from 'node:events';
import {render} from 'ink';
import {glyphsFor} from '../source/ui/glyphs.ts';
import {FrameView} from '../source/ui/guide.tsx';
import {screenOf} from '../source/ui/screen.ts';
import type {GuideState} from '../source/ui/use-guide-state.ts';
import {lockChainWithFix, t0} from '../test/ui/lock-chain-state.ts';
import {median} from './measure.ts';

/* How long one screen takes to render: the frame built from the state
 * (screen.ts) and drawn by Ink (React, Yoga, Ink's output), on the lock-chain
 * drill's screens at 80×24 and 200×50. Ink renders into a stand-in terminal
 * that keeps nothing; each screen is drawn in turns with the others, so
 * every draw changes the frame as a key would. */

const glyphs = glyphsFor({LANG: 'C.UTF-8'});
const run = lockChainWithFix();
const base: GuideState = {view: 'step', scroll: 0, list: 0, input: ''};
const screens: [string, Partial<GuideState>][] = [
	...run.runbook.steps.map(s => [`step ${s.id}`, {focus: s.id}] as [string, Partial<GuideState>]),
	['locks: the row detail', {focus: 'locks', cursor: {index: 0, open: true}}],
	['timeouts: rows', {focus: 'timeouts', cursor: {index: 2, open: false}}],
	['causes', {view: 'causes'}],
	['fix', {view: 'fix'}],
	['fix: the lock tree, a row picked', {view: 'fix', cursor: {index: 3, open: false}, scroll: 20}],
	['help', {overlay: 'help'}],
];

class Terminal extends EventEmitter {
	constructor(
		readonly columns: number,
		readonly rows: number,
	) {
		super();
	}
	write = () => true;
	isTTY = true;
}

export function screenRenders(columns: number, rows: number, rounds = 15): {name: string; ms: number; buildMs: number}[] {
	const stdout = new Terminal(columns, rows) as unknown as NodeJS.WriteStream;
	const stdin = Object.assign(new EventEmitter(), {isTTY: true, setRawMode() {}, setEncoding() {}, ref() {}, unref() {}, read: () => null}) as unknown as NodeJS.ReadStream;
	let built = 0;
	const draw = (guide: Partial<GuideState>) => {
		const start = performance.now();
		const screen = screenOf({run, guide: {...base, ...guide}, columns, rows, glyphs, now: t0 + 60_000});
		built = performance.now() - start;
		return <FrameView frame={screen.frame} width={screen.layout.width} color glyphs={glyphs} />;
	};
	const instance = render(draw({}), {stdout, stdin, debug: true, patchConsole: false, exitOnCtrlC: false});
	const times = new Map<string, {all: number[]; build: number[]}>(screens.map(([name]) => [name, {all: [], build: []}]));
	for (let round = 0; round < rounds; round++)
		for (const [name, guide] of screens) {
			const start = performance.now();
			instance.rerender(draw(guide));
			times.get(name)!.all.push(performance.now() - start);
			times.get(name)!.build.push(built);
		}
	instance.unmount();
	// The first round warms the JIT, as the first minute of a session does.
	return [...times].map(([name, t]) => ({name, ms: median(t.all.slice(1)), buildMs: median(t.build.slice(1))}));
}

/** The slowest and the median screen at 80×24 and 200×50, a line each. */
export function screenRenderLines(): string[] {
	return (
		[
			[80, 24],
			[200, 50],
		] as const
	).map(([columns, rows]) => {
		const results = screenRenders(columns, rows);
		const slowest = results.reduce((a, b) => (b.ms > a.ms ? b : a));
		return `one screen rendered at ${columns}×${rows}: slowest ${slowest.ms.toFixed(1)} ms (${slowest.name}; its lines built in ${slowest.buildMs.toFixed(1)} ms, the rest React, Yoga and Ink), median ${median(results.map(r => r.ms)).toFixed(1)} ms of ${results.length} screens`;
	});
}

if (process.argv[1] === import.meta.filename) for (const line of screenRenderLines()) console.log(line);
