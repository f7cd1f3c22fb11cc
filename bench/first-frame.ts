import {execFileSync, spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {median} from './measure.ts';

/* The first frame of the guided runbook in a real 80×24 tmux pane, as an
 * operator waits for it: from the moment tmux starts the process to the
 * moment the whole first frame (its footer is the last line Ink writes) has
 * reached the pane. The pane's output is piped to a file from its first byte
 * (pipe-pane in the same tmux command as new-session), so nothing polls tmux
 * while the process starts. No database is needed before the first Enter. */

const root = path.resolve(import.meta.dirname, '..');
/** The bin measured: this tree's, or another build's (BENCH_BIN, to compare with a commit before). */
const defaultBin = process.env.BENCH_BIN ?? path.join(root, 'dist/pg500.mjs');
/** The footer's first hint: in the frame's last lines, so its arrival means the frame is whole. */
const frameEnd = /Enter run next: server-logs[^\n]*\n[^\n]*export/;

export interface FirstFrames {
	runs: number[];
	median: number;
	min: number;
	max: number;
	/** CPU time (user + system) of the process up to its first frame, median. */
	cpuMedian: number;
}

const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], {encoding: 'utf8'}).trim()) || 100;
let cpu: number[] = [];

async function once(bin: string, socket: string, dir: string, i: number, args: string[]): Promise<number> {
	const out = path.join(dir, `pane-${i}.out`);
	writeFileSync(out, '');
	const command = ['exec', process.execPath, bin, ...args].map(a => `'${a}'`).join(' ');
	const t0 = performance.now();
	execFileSync('tmux', ['-S', socket, 'new-session', '-d', '-s', `ff${i}`, '-x', '80', '-y', '24', '-e', 'LANG=C.UTF-8', '-e', `XDG_STATE_HOME=${dir}`, command, ';', 'pipe-pane', '-t', `ff${i}`, `cat >> '${out}'`]);
	for (;;) {
		// Escape sequences between the words: compare the text alone.
		const text = readFileSync(out, 'utf8').replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
		if (frameEnd.test(text)) break;
		if (performance.now() - t0 > 20_000) throw new Error(`no first frame in 20 s; pane output:\n${text}`);
		await new Promise(resolve => setTimeout(resolve, 1));
	}
	const ms = performance.now() - t0;
	// The CPU it took (user + system), which other work on the machine does not inflate as it does the wall time.
	const pid = execFileSync('tmux', ['-S', socket, 'display-message', '-p', '-t', `ff${i}`, '#{pane_pid}'], {encoding: 'utf8'}).trim();
	const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
	cpu.push(((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond);
	execFileSync('tmux', ['-S', socket, 'send-keys', '-t', `ff${i}`, 'q']);
	for (let w = 0; w < 400 && spawnSync('tmux', ['-S', socket, 'has-session', '-t', `ff${i}`]).status === 0; w++) await new Promise(resolve => setTimeout(resolve, 10));
	return ms;
}

/** `runs` first frames (after one unmeasured run that warms the page cache). */
export async function firstFrames(runs = 12, bin = defaultBin): Promise<FirstFrames> {
	if (!existsSync(bin)) throw new Error(`${bin} is missing: npm run build`);
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pg500-first-frame-'));
	const socket = path.join(dir, 'tmux.sock');
	// Nothing listens there: the guided screen does not connect before the first Enter.
	const args = ['--url', 'postgres://bench@127.0.0.1:9/none', '--journal'];
	try {
		await once(bin, socket, dir, 0, [...args, path.join(dir, 'warm.jsonl')]);
		const times: number[] = [];
		cpu = [];
		for (let i = 1; i <= runs; i++) times.push(await once(bin, socket, dir, i, [...args, path.join(dir, `s${i}.jsonl`)]));
		return {runs: times, median: median(times), min: Math.min(...times), max: Math.max(...times), cpuMedian: median(cpu.slice(-runs))};
	} finally {
		spawnSync('tmux', ['-S', socket, 'kill-server']);
		rmSync(dir, {recursive: true, force: true});
	}
}

if (process.argv[1] === import.meta.filename) {
	const r = await firstFrames(Number(process.env.BENCH_FRAMES ?? 12));
	console.log(`first frame at 80×24 in tmux, ${r.runs.length} runs: median ${r.median.toFixed(0)} ms, range ${r.min.toFixed(0)}–${r.max.toFixed(0)} ms; CPU to the first frame, median ${r.cpuMedian.toFixed(0)} ms`);
	console.log(`  runs: ${r.runs.map(ms => ms.toFixed(0)).join(' ')}`);
}
