import {UsageError} from '../errors.ts';
import {loadRunbook} from '../runbook/load.ts';
import {createExecutor} from '../session/create-executor.ts';
import type {WatchOptions} from '../session/options.ts';
import {escapeUntrusted} from '../text/escape.ts';
import {glyphsFor, colorWanted} from '../ui/glyphs.ts';
import {jsonLine, textLine} from '../watch/sample-line.ts';
import {WatchSampler} from '../watch/sampler.ts';
import {TerminalView} from '../watch/terminal-view.ts';
import {watchLoop, type LoopFace} from '../watch/watch-loop.ts';
import {writeStdout} from './stdout.ts';

/* `pg500 watch` (cli-contract.md): the incident's figures sample after
 * sample on one connection — a refreshing view on a terminal, one JSON
 * object (or text line) per sample otherwise. Ctrl-C, q, SIGTERM and
 * SIGHUP end it cleanly (exit 0); a target that cannot be reached, or is
 * lost and does not come back, exits 2. */

const clock = () => `${new Date().toISOString().slice(11, 19)} UTC`;
const say = (text: string) => process.stderr.write(`pg500: ${clock()} ${escapeUntrusted(text)}\n`);

/** One line per sample on standard output; problems and notices on standard error. */
function lineFace(format: 'json' | 'text', sampler: WatchSampler): LoopFace {
	let noticed = false;
	return {
		async sample({sample}, first) {
			if (!noticed && sampler.hidden) say(sampler.hidden);
			noticed = true;
			// The first reading is the baseline: its changes since "before" are unknown.
			if (first) return 'go';
			const written = await writeStdout(format === 'json' ? jsonLine(sample) : textLine(sample));
			return written === 'closed' ? 'stop' : 'go';
		},
		problem: ({message}) => say(message),
	};
}

/** The view; the problem that ends a watch is said again on standard error once the view is left. */
function viewFace(view: TerminalView, sampler: WatchSampler, ending: {message?: string}): LoopFace {
	return {
		async sample({sample}) {
			if (sampler.hidden) view.say(sampler.hidden, 'warning');
			view.add(sample);
			return 'go';
		},
		problem({message, ends}) {
			if (ends) ending.message = message;
			view.say(message, ends ? 'critical' : 'warning');
		},
	};
}

/** Settles on Ctrl-C, SIGTERM, SIGHUP, or q (or Esc) typed in the view. */
function stopRequested(keys: boolean): {stopped: Promise<void>; dispose(): void} {
	let done!: () => void;
	const stopped = new Promise<void>(resolve => (done = resolve));
	const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
	for (const signal of signals) process.on(signal, done);
	const {stdin} = process;
	const onKey = (data: Buffer) => {
		if (data.includes(0x03) || data.includes(0x71) || data.includes(0x51) || (data.length === 1 && data[0] === 0x1b)) done();
	};
	const raw = keys && stdin.isTTY && !stdin.isRaw;
	if (raw) {
		stdin.setRawMode(true);
		stdin.on('data', onKey);
		stdin.resume();
	}
	return {
		stopped,
		dispose() {
			for (const signal of signals) process.off(signal, done);
			if (raw) {
				stdin.off('data', onKey);
				stdin.setRawMode(false);
				stdin.pause();
			}
		},
	};
}

export async function watch(options: WatchOptions): Promise<number> {
	if (options.serverLog === '-') throw new UsageError('--server-log - cannot be followed as it grows: give the log file (pg500 follows it through rotation)');
	const runbook = await loadRunbook(options.runbook);
	const executor = createExecutor({...options, logTailMb: 64});
	const sampler = await WatchSampler.open({read: () => executor.readWatch!(runbook.thresholds), serverLog: options.serverLog});
	const format = options.format ?? (process.stdout.isTTY ? 'view' : 'json');
	const glyphs = glyphsFor(process.env);
	const target = executor.target;
	const view =
		format === 'view'
			? new TerminalView({
					stdout: process.stdout,
					title: `pg500 watch ${glyphs.dot} ${target.user}@${target.host}:${target.port}/${target.database}${sampler.followedLog ? ` + ${escapeUntrusted(sampler.followedLog)}` : ''}`,
					thresholds: runbook.thresholds,
					intervalSeconds: options.interval,
					color: colorWanted(options.color, process.env),
					glyphs,
				})
			: undefined;
	const stop = stopRequested(view !== undefined);
	const ending: {message?: string} = {};
	let code = 0;
	try {
		code = await watchLoop({
			sampler,
			intervalMs: options.interval * 1000,
			count: options.count,
			face: view ? viewFace(view, sampler, ending) : lineFace(format as 'json' | 'text', sampler),
			stopped: stop.stopped,
		});
	} finally {
		stop.dispose();
		view?.close();
		await sampler.close();
		await executor.close();
	}
	if (ending.message) say(ending.message);
	return code;
}
