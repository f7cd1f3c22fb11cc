import {spawn} from 'node:child_process';
import {mkdtemp, open, rm, stat} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import type {RunnableStep} from '../source/runbook/schema.ts';
import {runLogStep} from '../source/logs/run-log-step.ts';

/* The log bench: a 1 GB denokv server log (mixed lines), then the default
 * window (last 64 MB; goal < 1 s and < 100 MB RSS) and a full scan (MB/s),
 * each in a child process so its peak RSS is its own. */

const gigabyte = 1 << 30;
const defaultTailBytes = 64 << 20;
const step = {id: 'server-logs', title: 'server log', why: 'bench', kind: 'log', source: 'server-log', rules: []} as unknown as RunnableStep;

/** One minute of traffic: mostly requests, some failures of each kind, both lines of a failing request. */
function minuteOfLog(at: Date): string {
	const t = at.toISOString();
	const lines: string[] = [];
	for (let i = 0; i < 100; i++) {
		lines.push(`[${t} INFO  denokv] POST /v2/atomic_write 200 OK ${i}ms key=${'k'.repeat(i % 40)}`);
		if (i % 10 === 0) lines.push(`[${t} DEBUG tokio_postgres::prepare] preparing query s${i}: SELECT key, value, versionstamp FROM kv_store WHERE key = $1`);
	}
	lines.push(`[${t} ERROR denokv] atomic_write failed: Database error: db error: ERROR: deadlock detected`);
	lines.push(`[${t} ERROR denokv::postgres] Database error: Database error: db error: ERROR: deadlock detected`);
	lines.push(`[${t} WARN  deadpool.postgres] Connection could not be recycled: Connection closed`);
	lines.push(`[${t} ERROR denokv] atomic_write failed: error serializing parameter 4: cannot convert between the Rust type \`Vec<Vec<u8>>\` and the Postgres type \`_bytea\``);
	lines.push(`[${t} ERROR denokv] Database error: db error: ERROR: canceling statement due to statement timeout`);
	return `${lines.join('\n')}\n`;
}

async function writeLog(file: string, bytes: number): Promise<void> {
	const handle = await open(file, 'w');
	try {
		let written = 0;
		let at = Date.UTC(2026, 10, 20);
		while (written < bytes) {
			let block = '';
			while (block.length < 1 << 20) {
				block += minuteOfLog(new Date(at));
				at += 60_000;
			}
			await handle.write(block);
			written += Buffer.byteLength(block);
		}
	} finally {
		await handle.close();
	}
}

interface Measure {
	ms: number;
	maxRssMb: number;
	baselineRssMb: number;
	rows: number;
	counted: number;
}

/** In the child: read the log once, print what it cost. */
async function child(file: string, tailBytes: number): Promise<void> {
	const baselineRssMb = process.memoryUsage().rss / 2 ** 20;
	const t0 = performance.now();
	const outcome = await runLogStep(step, {serverLog: file, tailBytes});
	const ms = performance.now() - t0;
	const measure: Measure = {
		ms,
		maxRssMb: process.resourceUsage().maxRSS / 1024,
		baselineRssMb,
		rows: outcome.rows.length,
		counted: outcome.rows.reduce((n, r) => n + Number(r.count), 0),
	};
	process.stdout.write(JSON.stringify(measure));
}

/** This module compiled to plain JavaScript, as the product ships: tsx in the child would weigh more than the reader. */
async function bundleChild(dir: string): Promise<string> {
	const {build} = await import('esbuild');
	const outfile = path.join(dir, 'bench-logs.mjs');
	await build({entryPoints: [fileURLToPath(import.meta.url)], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'error'});
	return outfile;
}

function measureInChild(script: string, file: string, tailBytes: number): Promise<Measure> {
	return new Promise((resolve, reject) => {
		const proc = spawn(process.execPath, [script, '--child', file, String(tailBytes)], {stdio: ['ignore', 'pipe', 'inherit']});
		let out = '';
		proc.stdout.on('data', chunk => (out += chunk));
		proc.on('error', reject);
		proc.on('close', code => (code === 0 ? resolve(JSON.parse(out) as Measure) : reject(new Error(`bench child exited with ${code}`))));
	});
}

export interface LogBenchResult {
	logBytes: number;
	window: Measure & {goalMet: boolean};
	fullScan: Measure & {mbPerSecond: number};
}

/** Called by `npm run bench`; also runnable alone. */
export async function benchLogs(log: (line: string) => void = console.log): Promise<LogBenchResult> {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'pg500-bench-logs-'));
	try {
		const file = path.join(dir, 'denokv.log');
		await writeLog(file, gigabyte);
		const logBytes = (await stat(file)).size;
		const script = await bundleChild(dir);
		const window = await measureInChild(script, file, defaultTailBytes);
		const full = await measureInChild(script, file, Number.POSITIVE_INFINITY);
		const result: LogBenchResult = {
			logBytes,
			window: {...window, goalMet: window.ms < 1000 && window.maxRssMb < 100},
			fullScan: {...full, mbPerSecond: logBytes / 2 ** 20 / (full.ms / 1000)},
		};
		log(`log bench: ${(logBytes / 2 ** 30).toFixed(2)} GB server log`);
		log(`  default window (last 64 MB): ${window.ms.toFixed(0)} ms, peak RSS ${window.maxRssMb.toFixed(0)} MB (process at start ${window.baselineRssMb.toFixed(0)} MB), ${window.counted} lines counted — goal < 1 s and < 100 MB: ${result.window.goalMet ? 'met' : 'NOT met'}`);
		log(`  full scan: ${(full.ms / 1000).toFixed(1)} s, ${result.fullScan.mbPerSecond.toFixed(0)} MB/s, peak RSS ${full.maxRssMb.toFixed(0)} MB, ${full.counted} lines counted`);
		return result;
	} finally {
		await rm(dir, {recursive: true, force: true});
	}
}

const args = process.argv.slice(2);
if (args[0] === '--child') await child(args[1]!, Number(args[2]));
else if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await benchLogs();
