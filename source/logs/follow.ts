import {open, stat, type FileHandle} from 'node:fs/promises';
import {logFileError} from './log-file-error.ts';
import {lineFramer, type LineFramer} from './line-framer.ts';
import {emptyCounts, maxLineBytes, readLines} from './line-reader.ts';
import type {LineClassifier} from './scan.ts';
import {serverLogClassifier} from './server-log.ts';
import {roundRate} from './tally.ts';
import {TimeReader} from './timestamps.ts';

/* A log followed as it grows, `tail -F` style, for `pg500 watch
 * --server-log`: each poll reads what was appended since the last one, and
 * survives rotation — rename and create (the old file is read to its end,
 * then the new one from its start) and copytruncate (the file is cut back:
 * read again from its start). Lines the classifier counts are timed as they
 * arrive and give a rate per minute over a sliding window; at the start the
 * window is filled from the lines already in the file that carry a time
 * inside it, so the first figure is not a zero. */

export interface FollowOptions {
	/** The window the rate is over. */
	windowSeconds?: number;
	/** How much of the file's end is read at the start to fill the window. */
	backfillBytes?: number;
	/** Decides which lines count (the denokv server log's by default). */
	classifier?: LineClassifier;
	/** The clock (tests move it). */
	now?: () => Date;
	/** The zone of timestamps written without one. */
	hostZone?: string;
}

const defaultWindowSeconds = 60;
const defaultBackfillBytes = 1 << 20;
/** Read at most this much per read call: memory stays bounded however much was appended. */
const readBytes = 1 << 20;
/** Bytes just before the read position, kept to notice a file cut back and written past that position between two polls. */
const signatureBytes = 64;

interface Opened {
	handle: FileHandle;
	ino: number;
	dev: number;
	/** Where the next read starts. */
	position: number;
	/** The bytes just before `position`, as read. */
	signature: Buffer;
}

export class LogFollower {
	private readonly windowMs: number;
	private readonly now: () => Date;
	private readonly classifier: LineClassifier;
	private readonly framer: LineFramer = lineFramer();
	private readonly times: TimeReader;
	/** Arrival times (ms) of counted lines inside the window, oldest first. */
	private events: number[] = [];
	/** The start of a line whose newline has not been written yet. */
	private partial: Buffer = Buffer.alloc(0);
	private file: Opened;
	/** Counted lines since following began (the backfill not included). */
	counted = 0;
	/** Times the file was rotated under it. */
	rotations = 0;

	private constructor(
		readonly path: string,
		file: Opened,
		options: FollowOptions,
	) {
		this.file = file;
		this.windowMs = (options.windowSeconds ?? defaultWindowSeconds) * 1000;
		this.now = options.now ?? (() => new Date());
		this.classifier = options.classifier ?? serverLogClassifier();
		this.times = new TimeReader({now: this.now(), hostZone: options.hostZone});
	}

	/** Opens the log (a LogFileError when it cannot be read) and fills the window from its end. */
	static async open(path: string, options: FollowOptions = {}): Promise<LogFollower> {
		let file: Opened;
		try {
			file = await openFile(path, 'end');
		} catch (error) {
			throw logFileError(path, error);
		}
		const follower = new LogFollower(path, file, options);
		await follower.backfill(options.backfillBytes ?? defaultBackfillBytes);
		return follower;
	}

	/** Counted lines per minute over the window that ends now. */
	errorsPerMinute(): number {
		this.prune();
		return roundRate(this.events.length / (this.windowMs / 60_000));
	}

	/** Reads what was appended since the last poll, following a rotation. */
	async poll(): Promise<void> {
		let current: Awaited<ReturnType<typeof stat>> | undefined;
		try {
			current = await stat(this.path);
		} catch {
			// Between a rename and the create: the old file may still grow.
		}
		if (current && (current.ino !== this.file.ino || current.dev !== this.file.dev)) {
			// Renamed away and replaced: what the writer still put in the old file, then the new one from its start.
			const next = await openFile(this.path, 'start').catch(() => undefined);
			await this.readToEnd();
			if (next) {
				await this.endOfFile();
				await this.file.handle.close();
				this.file = next;
				this.rotations++;
			}
		} else if (await this.cutBack()) {
			this.file.position = 0;
			this.file.signature = Buffer.alloc(0);
			this.partial = Buffer.alloc(0);
			this.rotations++;
		}
		await this.readToEnd();
	}

	async close(): Promise<void> {
		await this.file.handle.close().catch(() => {});
	}

	/** The file was copied and truncated: it is shorter than what was read, or no longer holds what was read last. */
	private async cutBack(): Promise<boolean> {
		const {handle, position, signature} = this.file;
		const {size} = await handle.stat();
		if (size < position) return true;
		if (signature.length === 0) return false;
		const now = Buffer.alloc(signature.length);
		const {bytesRead} = await handle.read(now, 0, signature.length, position - signature.length);
		return bytesRead < signature.length || !now.equals(signature);
	}

	private async readToEnd(): Promise<void> {
		const file = this.file;
		const {size} = await file.handle.stat();
		const buffer = Buffer.allocUnsafe(Math.min(readBytes, Math.max(1, size - file.position)));
		while (file.position < size) {
			const {bytesRead} = await file.handle.read(buffer, 0, Math.min(buffer.length, size - file.position), file.position);
			if (bytesRead === 0) break;
			const chunk = buffer.subarray(0, bytesRead);
			file.position += bytesRead;
			file.signature = Buffer.from(Buffer.concat([file.signature, chunk]).subarray(-signatureBytes));
			await this.feed(chunk, 'arrived');
		}
	}

	/** A file that ends without a newline ends its last line (the writer moved on to a new file). */
	private async endOfFile(): Promise<void> {
		if (this.partial.length > 0) await this.feed(Buffer.from('\n'), 'arrived');
	}

	private async backfill(bytes: number): Promise<void> {
		const {handle, position: size} = this.file;
		const start = Math.max(0, size - bytes);
		if (start === size) return;
		const buffer = Buffer.alloc(size - start);
		const {bytesRead} = await handle.read(buffer, 0, buffer.length, start);
		let text = buffer.subarray(0, bytesRead);
		this.file.signature = Buffer.from(text.subarray(-signatureBytes));
		// The window's first line is cut in two: drop it. The last may not be finished: it is read when it is.
		if (start > 0) text = text.subarray(text.indexOf(0x0a) + 1);
		const end = text.lastIndexOf(0x0a);
		await this.feed(text.subarray(0, end + 1), 'backfill');
		this.partial = Buffer.from(text.subarray(end + 1));
	}

	/** Counts the whole lines of `chunk` (with what was left of the last one). */
	private async feed(chunk: Buffer, how: 'arrived' | 'backfill'): Promise<void> {
		const end = chunk.lastIndexOf(0x0a);
		if (end === -1) {
			this.partial = Buffer.concat([this.partial, chunk]).subarray(0, maxLineBytes + 1);
			return;
		}
		const whole = this.partial.length > 0 ? Buffer.concat([this.partial, chunk.subarray(0, end)]) : chunk.subarray(0, end);
		this.partial = Buffer.from(chunk.subarray(end + 1, end + 2 + maxLineBytes));
		const arrived = this.now().getTime();
		const windowStart = arrived - this.windowMs;
		for await (const batch of readLines(once(whole), emptyCounts()))
			for (const raw of batch) {
				const text = this.framer.frame(raw);
				if (!text) continue;
				const verdict = this.classifier.classify(text);
				if (verdict.kind !== 'count') continue;
				if (how === 'arrived') {
					this.counted++;
					this.events.push(arrived);
					continue;
				}
				// From before following began: only a line whose own time falls inside the window.
				const time = this.framer.time ?? this.times.read(text);
				if (time instanceof Date && time.getTime() > windowStart && time.getTime() <= arrived) this.events.push(time.getTime());
			}
		if (how === 'backfill') this.events.sort((a, b) => a - b);
	}

	private prune(): void {
		const from = this.now().getTime() - this.windowMs;
		let drop = 0;
		while (drop < this.events.length && this.events[drop]! <= from) drop++;
		if (drop > 0) this.events = this.events.slice(drop);
	}
}

async function* once(chunk: Buffer): AsyncIterable<Buffer> {
	yield chunk;
}

async function openFile(path: string, at: 'start' | 'end'): Promise<Opened> {
	const handle = await open(path, 'r');
	try {
		const info = await handle.stat();
		if (info.isDirectory()) throw Object.assign(new Error('directory'), {code: 'EISDIR'});
		return {handle, ino: info.ino, dev: info.dev, position: at === 'end' ? info.size : 0, signature: Buffer.alloc(0)};
	} catch (error) {
		await handle.close();
		throw error;
	}
}
