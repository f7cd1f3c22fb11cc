import {execFileSync, spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import {SourceMap} from 'node:module';
import os from 'node:os';
import path from 'node:path';

/* Where the time to the first frame goes: the guided screen started under
 * V8's CPU profiler in an 80×24 tmux pane, the profile cut at the moment the
 * whole first frame is written, each sample put to the source it comes from
 * through the build's source maps (our source, each package, Node itself,
 * garbage collection). The profiler slows what it watches: read the shares,
 * and take the wall time from bench/first-frame.ts. */

const root = path.resolve(import.meta.dirname, '..');

interface CallFrame {
	functionName: string;
	url: string;
	lineNumber: number;
	columnNumber: number;
}
interface Profile {
	nodes: {id: number; callFrame: CallFrame}[];
	startTime: number;
	samples: number[];
	timeDeltas: number[];
}

// Loaded first (--import): notes when the first frame is whole, on the profiler's clock.
const marker = `
import {writeFileSync} from 'node:fs';
const write = process.stdout.write.bind(process.stdout);
let text = '';
process.stdout.write = (chunk, ...rest) => {
	if (text !== null) {
		text += String(chunk).replace(/\\u001b\\[[0-9;?]*[A-Za-z]/g, '');
		if (/Enter run next: server-logs[^\\n]*\\n[^\\n]*export/.test(text)) {
			text = null;
			writeFileSync(process.env.PG500_MARK, JSON.stringify({hrtime: String(process.hrtime.bigint()), sinceStart: performance.now()}));
		}
	}
	return write(chunk, ...rest);
};
`;

/** Where a profiled location comes from: our source, a package, or the engine. */
function area(frame: CallFrame, maps: Map<string, SourceMap | null>, dist: string): string {
	const {functionName, url} = frame;
	if (functionName === '(garbage collector)') return 'garbage collection';
	if (functionName === '(program)') return 'V8: parse and compile';
	if (functionName === '(idle)') return 'idle';
	if (url.startsWith('wasm://')) return 'yoga-layout (wasm)';
	const file = url.startsWith('file://') ? path.basename(new URL(url).pathname) : url;
	if (!/^pg500/.test(file)) return url.startsWith('node:') || url === '' ? 'Node internals' : file;
	if (!maps.has(file)) {
		const mapFile = path.join(dist, `${file}.map`);
		maps.set(file, existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))) : null);
	}
	// A sample is put to the function it runs in; a chunk's own function (its first lines, V8's wrapper) is the top-level code of every module in it.
	if (file !== 'pg500.mjs' && frame.lineNumber < 3) return `${file}: modules' top-level code`;
	const source = maps.get(file)?.findEntry(frame.lineNumber, frame.columnNumber);
	const original = source && 'originalSource' in source ? String(source.originalSource) : '';
	const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(original)?.[1];
	if (pkg) return pkg;
	const ours = /source\/([^/]+)\//.exec(original)?.[1];
	if (ours) return `pg500 source/${ours}`;
	return original.includes('scripts/') ? 'pg500 chunk runtime' : `${file} (unmapped)`;
}

export async function startupProfile(bin = path.join(root, 'dist/pg500.mjs')): Promise<{total: number; areas: [string, number][]}> {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pg500-startup-profile-'));
	const socket = path.join(dir, 'tmux.sock');
	const mark = path.join(dir, 'mark.json');
	writeFileSync(path.join(dir, 'marker.mjs'), marker);
	try {
		const command = [process.execPath, '--import', path.join(dir, 'marker.mjs'), '--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval', '100', bin, '--url', 'postgres://bench@127.0.0.1:9/none', '--journal', path.join(dir, 's.jsonl')]
			.map(a => `'${a}'`)
			.join(' ');
		execFileSync('tmux', ['-S', socket, 'new-session', '-d', '-s', 'p', '-x', '80', '-y', '24', '-e', 'LANG=C.UTF-8', '-e', `XDG_STATE_HOME=${dir}`, '-e', `PG500_MARK=${mark}`, `exec ${command}`]);
		for (let i = 0; i < 400 && !existsSync(mark); i++) await new Promise(resolve => setTimeout(resolve, 25));
		if (!existsSync(mark)) throw new Error('no first frame in 10 s');
		execFileSync('tmux', ['-S', socket, 'send-keys', '-t', 'p', 'q']);
		for (let i = 0; i < 400 && !readdirSync(dir).some(f => f.endsWith('.cpuprofile')); i++) await new Promise(resolve => setTimeout(resolve, 25));
		await new Promise(resolve => setTimeout(resolve, 200));
		const profile = JSON.parse(readFileSync(path.join(dir, readdirSync(dir).find(f => f.endsWith('.cpuprofile'))!), 'utf8')) as Profile;
		const {hrtime, sinceStart} = JSON.parse(readFileSync(mark, 'utf8')) as {hrtime: string; sinceStart: number};
		const cut = Number(BigInt(hrtime) / 1000n);
		const nodes = new Map(profile.nodes.map(n => [n.id, n.callFrame]));
		const maps = new Map<string, SourceMap | null>();
		const areas = new Map<string, number>();
		// Before the profiler starts: Node's own start-up.
		const unprofiled = sinceStart - (cut - profile.startTime) / 1000;
		areas.set('Node start-up (before the profiler)', unprofiled);
		let at = profile.startTime;
		profile.samples.forEach((id, i) => {
			at += profile.timeDeltas[i]!;
			if (at > cut) return;
			const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
			const name = area(nodes.get(id)!, maps, path.dirname(bin));
			areas.set(name, (areas.get(name) ?? 0) + ms);
		});
		return {total: sinceStart, areas: [...areas].sort((a, b) => b[1] - a[1])};
	} finally {
		spawnSync('tmux', ['-S', socket, 'kill-server']);
		rmSync(dir, {recursive: true, force: true});
	}
}

if (process.argv[1] === import.meta.filename) {
	const runs = Number(process.env.BENCH_PROFILES ?? 5);
	const sums = new Map<string, number[]>();
	const totals: number[] = [];
	for (let i = 0; i < runs; i++) {
		const {total, areas} = await startupProfile(process.env.BENCH_BIN);
		totals.push(total);
		for (const [name, ms] of areas) sums.set(name, [...(sums.get(name) ?? []), ms]);
	}
	const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / runs;
	console.log(`to the first frame under the profiler, mean of ${runs}: ${mean(totals).toFixed(0)} ms`);
	for (const [name, values] of [...sums].sort((a, b) => mean(b[1]) - mean(a[1]))) if (mean(values) >= 1) console.log(`  ${mean(values).toFixed(0).padStart(4)} ms  ${name}`);
}
