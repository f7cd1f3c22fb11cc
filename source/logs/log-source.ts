import {open} from 'node:fs/promises';
import type {Readable} from 'node:stream';
import {createGunzip} from 'node:zlib';
import {logFileError} from './log-file-error.ts';

/* Where log bytes come from, limited to the tail window: never the whole of a
 * multi-GB file. A plain file is read from `size - tailBytes` by seeking; a
 * stream (standard input, a gzip rotation) can only be read through, so it
 * keeps a ring of its last tailBytes. Every source drops the partial first
 * line when it starts mid-file. */

export const chunkBytes = 1 << 20;

export interface LogBytes {
	/** A chunk is valid only until the next one is asked for (a file reuses one buffer): copy what must outlive it. */
	chunks: AsyncIterable<Buffer>;
	/** What was read, for the report: "the last 64.0 MB of 1.2 GB". Filled once the chunks are consumed. */
	stats: {totalBytes: number | null; readBytes: number};
}

const gzipMagic = (b: Buffer) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** Skips everything up to and including the first newline (the line the window cut in two). */
export async function* dropPartialFirstLine(chunks: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
	let skipping = true;
	for await (const chunk of chunks) {
		if (!skipping) {
			yield chunk;
			continue;
		}
		const nl = chunk.indexOf(0x0a);
		if (nl === -1) continue;
		skipping = false;
		if (nl + 1 < chunk.length) yield chunk.subarray(nl + 1);
	}
}

/** The last `tailBytes` of a stream, kept in a bounded ring of chunks. */
async function* ringTail(stream: AsyncIterable<Buffer | string>, tailBytes: number, stats: LogBytes['stats']): AsyncIterable<Buffer> {
	const ring: Buffer[] = [];
	let held = 0;
	let dropped = false;
	for await (const piece of stream) {
		const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
		stats.totalBytes = (stats.totalBytes ?? 0) + chunk.length;
		ring.push(chunk);
		held += chunk.length;
		while (held - ring[0]!.length >= tailBytes) {
			held -= ring.shift()!.length;
			dropped = true;
		}
	}
	if (held > tailBytes) {
		ring[0] = ring[0]!.subarray(held - tailBytes);
		held = tailBytes;
		dropped = true;
	}
	stats.readBytes = held;
	async function* all() {
		yield* ring;
	}
	yield* dropped ? dropPartialFirstLine(all()) : all();
}

/** Bytes of a stream, gunzipped when they start with the gzip magic. */
async function* maybeGunzip(stream: Readable): AsyncIterable<Buffer> {
	const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
	const first = await iterator.next();
	if (first.done) return;
	const head = typeof first.value === 'string' ? Buffer.from(first.value) : first.value;
	async function* rest(): AsyncIterable<Buffer> {
		yield head;
		for (let r = await iterator.next(); !r.done; r = await iterator.next()) yield typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
	}
	if (!gzipMagic(head)) {
		yield* rest();
		return;
	}
	const gunzip = createGunzip();
	void (async () => {
		try {
			for await (const chunk of rest()) if (!gunzip.write(chunk)) await new Promise(r => gunzip.once('drain', r));
			gunzip.end();
		} catch (error) {
			gunzip.destroy(error as Error);
		}
	})();
	yield* gunzip as AsyncIterable<Buffer>;
}

/** The tail of a stream (standard input, or anything a test passes). */
export function streamTail(stream: Readable, tailBytes: number): LogBytes {
	const stats: LogBytes['stats'] = {totalBytes: null, readBytes: 0};
	return {chunks: ringTail(maybeGunzip(stream), tailBytes, stats), stats};
}

/**
 * The tail of a file the user named. Opening it happens here, so a missing or
 * unreadable path fails at once with a LogFileError; a gzip file is streamed
 * through zlib (it cannot be seeked) and keeps its tail in the ring.
 */
export async function fileTail(path: string, tailBytes: number): Promise<LogBytes> {
	let handle;
	try {
		handle = await open(path, 'r');
		const info = await handle.stat();
		if (info.isDirectory()) throw Object.assign(new Error('directory'), {code: 'EISDIR'});
		const head = Buffer.alloc(2);
		const {bytesRead} = await handle.read(head, 0, 2, 0);
		if (gzipMagic(head.subarray(0, bytesRead))) {
			const stream = handle.createReadStream({highWaterMark: chunkBytes});
			const stats: LogBytes['stats'] = {totalBytes: null, readBytes: 0};
			const gunzip = stream.pipe(createGunzip());
			stream.on('error', error => gunzip.destroy(error));
			return {chunks: rethrowAsLogFileError(path, ringTail(gunzip as AsyncIterable<Buffer>, tailBytes, stats)), stats};
		}
		const size = info.size;
		const start = Math.max(0, size - tailBytes);
		const stats = {totalBytes: size, readBytes: size - start};
		const opened = handle;
		async function* read(): AsyncIterable<Buffer> {
			// One buffer for every read: memory stays at one chunk however large the window.
			const buffer = Buffer.allocUnsafe(Math.min(chunkBytes, Math.max(1, size - start)));
			try {
				for (let position = start; position < size; ) {
					const {bytesRead: n} = await opened.read(buffer, 0, Math.min(buffer.length, size - position), position);
					if (n === 0) break;
					position += n;
					yield buffer.subarray(0, n);
				}
			} finally {
				await opened.close();
			}
		}
		return {chunks: rethrowAsLogFileError(path, start > 0 ? dropPartialFirstLine(read()) : read()), stats};
	} catch (error) {
		await handle?.close().catch(() => {});
		throw logFileError(path, error);
	}
}

async function* rethrowAsLogFileError(path: string, chunks: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
	try {
		yield* chunks;
	} catch (error) {
		throw logFileError(path, error);
	}
}
