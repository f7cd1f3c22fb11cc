import {closeSync, constants, fstatSync, openSync, readSync} from 'node:fs';
import {fileError} from './file-problem.ts';

/* Files pg500 reads whole (a runbook, a journal) are given by a person or
 * left by an earlier session: a FIFO must not hang the tool, /dev/zero must
 * not fill its memory. Opened without blocking, checked to be a regular
 * file, read up to a cap. */

/** Reads `file` as UTF-8; throws with code `ENOTREG` for anything but a regular file, `EFBIG` beyond `maxBytes`. */
export function readRegularFile(file: string, maxBytes: number, what = 'file'): string {
	// O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
	const tooLarge = () => fileError('ETOOBIG', `larger than ${describeBytes(maxBytes)}: not a ${what}`);
	const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
	try {
		const stat = fstatSync(fd);
		if (stat.isDirectory()) throw fileError('EISDIR', 'it is a directory');
		if (!stat.isFile()) throw fileError('ENOTREG', 'not a regular file (a FIFO, a device or a socket)');
		if (stat.size > maxBytes) throw tooLarge();
		// The file may grow while it is read: read to its end, never past the cap.
		const chunks: Buffer[] = [];
		let length = 0;
		for (;;) {
			const chunk = Buffer.alloc(Math.min(1 << 20, maxBytes + 1 - length));
			const n = readSync(fd, chunk, 0, chunk.length, null);
			if (n === 0) break;
			chunks.push(chunk.subarray(0, n));
			length += n;
			if (length > maxBytes) throw tooLarge();
		}
		return Buffer.concat(chunks).toString('utf8');
	} finally {
		closeSync(fd);
	}
}

export function describeBytes(bytes: number): string {
	return bytes >= 1 << 20 ? `${Math.round(bytes / (1 << 20))} MB` : `${Math.round(bytes / 1024)} KB`;
}
