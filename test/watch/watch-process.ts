import {spawn, type ChildProcess} from 'node:child_process';
import path from 'node:path';
import {createInterface} from 'node:readline';
import type {ContractSample} from '../../source/watch/sample-line.ts';

/* `pg500 watch` as a real process (the built bin), its samples read line by
 * line as they come: a test acts between two samples and reads the next. */

export const bin = path.resolve(import.meta.dirname, '../../dist/pg500.mjs');

/** A line of `pg500 watch --format json`: the contract's fields. */
export type WatchedLine = ContractSample;

export interface WatchProcess {
	child: ChildProcess;
	/** The next JSON line, parsed (rejects when the process ends first). */
	next(): Promise<WatchedLine>;
	lines: WatchedLine[];
	stderr(): string;
	/** The exit code, once it exits. */
	exited: Promise<number>;
}

export function startWatch(args: string[], env: NodeJS.ProcessEnv = {}): WatchProcess {
	const child = spawn(process.execPath, [bin, 'watch', ...args], {env: {PATH: process.env.PATH, HOME: process.env.HOME, ...env}, stdio: ['ignore', 'pipe', 'pipe']});
	let errors = '';
	child.stderr!.on('data', chunk => (errors += chunk));
	const lines: WatchedLine[] = [];
	const waiting: {resolve(line: WatchedLine): void; reject(error: Error): void}[] = [];
	const queued: WatchedLine[] = [];
	let ended = false;
	createInterface({input: child.stdout!}).on('line', text => {
		const line = JSON.parse(text) as WatchedLine;
		lines.push(line);
		const waiter = waiting.shift();
		if (waiter) waiter.resolve(line);
		else queued.push(line);
	});
	const exited = new Promise<number>(resolve =>
		child.on('close', code => {
			ended = true;
			for (const w of waiting.splice(0)) w.reject(new Error(`pg500 watch ended (exit ${code}) before the next sample; stderr: ${errors}`));
			resolve(code ?? -1);
		}),
	);
	return {
		child,
		lines,
		stderr: () => errors,
		exited,
		next() {
			const line = queued.shift();
			if (line) return Promise.resolve(line);
			if (ended) return Promise.reject(new Error(`pg500 watch has ended; stderr: ${errors}`));
			return new Promise((resolve, reject) => waiting.push({resolve, reject}));
		},
	};
}
