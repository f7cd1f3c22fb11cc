import {spawn} from 'node:child_process';
import {createWriteStream} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {killCommand, markerName, newMarker} from './process-tree.ts';

/* A command the operator confirmed (e.g. `docker logs --since 30m denokv`),
 * run so its output can be read as a log: through `sh -c`, no input, bounded
 * in time and in bytes, its output in a private temp file that the caller
 * removes once the log has been read. */

export interface CaptureLimits {
	timeoutMs: number;
	maxBytes: number;
}

const tailBytes = 2048;

export const defaultCaptureLimits: CaptureLimits = {timeoutMs: 60_000, maxBytes: 64 * 1024 * 1024};

export interface Capture {
	/** The temp file holding standard output and standard error, in the order they came. */
	path: string;
	bytes: number;
	exitCode: number | null;
	/** Stopped after the time limit. */
	timedOut: boolean;
	/** Stopped at the byte limit: the file holds the first maxBytes only. */
	cut: boolean;
	/** The last line of output (raw bytes as text: escape before showing), to say why a failed command failed. */
	lastLine: string;
	/** Removes the temp file and its directory. */
	remove(): Promise<void>;
}

export async function captureCommand(commandLine: string, limits: CaptureLimits = defaultCaptureLimits): Promise<Capture> {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'pg500-log-'));
	const file = path.join(dir, 'output.log');
	const remove = () => rm(dir, {recursive: true, force: true});
	try {
		const out = createWriteStream(file, {mode: 0o600, flags: 'wx'});
		await new Promise<void>((resolve, reject) => {
			out.once('open', () => resolve());
			out.once('error', reject);
		});
		// Its own session (detached: setsid), so a timeout ends the pipeline's children too; those that
		// leave it (setsid … &) are found by the marker they inherit.
		const marker = newMarker();
		const child = spawn('/bin/sh', ['-c', commandLine], {stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: {...process.env, [markerName]: marker}});
		let bytes = 0;
		let cut = false;
		let timedOut = false;
		let tail = Buffer.alloc(0);
		const stop = () => {
			if (child.pid !== undefined) killCommand(child.pid, marker);
		};
		const take = (chunk: Buffer) => {
			if (cut) return;
			const room = limits.maxBytes - bytes;
			const piece = chunk.length > room ? chunk.subarray(0, room) : chunk;
			bytes += piece.length;
			out.write(piece);
			tail = Buffer.concat([tail, piece]).subarray(-tailBytes);
			if (chunk.length >= room) {
				cut = true;
				stop();
			}
		};
		child.stdout.on('data', take);
		child.stderr.on('data', take);
		const timer = setTimeout(() => {
			timedOut = true;
			stop();
		}, limits.timeoutMs);
		const exitCode = await new Promise<number | null>(resolve => {
			child.once('error', () => resolve(null));
			child.once('close', code => resolve(code));
		});
		clearTimeout(timer);
		await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
		const lastLine = tail.toString('utf8').trimEnd().split('\n').at(-1) ?? '';
		return {path: file, bytes, exitCode, timedOut, cut, lastLine, remove};
	} catch (error) {
		await remove();
		throw error;
	}
}
