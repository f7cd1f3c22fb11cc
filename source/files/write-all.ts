import {fsyncSync, writeSync} from 'node:fs';

/* write(2) may write less than it was given (a nearly full disk, a file-size
 * limit) and say so only in its return value: the rest then fails with
 * ENOSPC or EFBIG on the next call. Every file pg500 writes goes through
 * here, so a short write is never taken for a whole one. */

/**
 * Writes every byte of `data`, looping over short writes; throws what
 * write(2) threw. At `position` when given (so a file cut back after a failed
 * write is continued where it now ends, not past it), else at the file's offset.
 */
export function writeAll(fd: number, data: string | Uint8Array, position?: number): void {
	const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
	let done = 0;
	while (done < bytes.length) {
		const wrote = writeSync(fd, bytes, done, bytes.length - done, position === undefined ? null : position + done);
		// A write of nothing that is not an error would loop forever: it is the disk being full by another name.
		if (wrote <= 0) throw Object.assign(new Error('wrote nothing: no space left on the device'), {code: 'ENOSPC'});
		done += wrote;
	}
}

/** writeAll, then fsync: the bytes are on the disk when this returns. */
export function writeAllSynced(fd: number, data: string | Uint8Array): void {
	writeAll(fd, data);
	fsyncSync(fd);
}
