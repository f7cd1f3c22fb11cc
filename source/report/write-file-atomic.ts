import {closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync} from 'node:fs';
import {randomBytes} from 'node:crypto';
import path from 'node:path';

/**
 * Writes `text` to `file` so that readers see the old file or the whole new
 * one, never a half-written report: a temporary file in the same directory
 * (same file system, so the rename is atomic), mode 0600 from creation
 * (reports hold query text and host names), flushed to disk, then renamed.
 * Synchronous, so it also works from a signal handler on the way out.
 */
export function writeFileAtomic(file: string, text: string): void {
	const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
	const fd = openSync(temp, 'wx', 0o600);
	try {
		try {
			writeSync(fd, text);
			fsyncSync(fd);
		} finally {
			closeSync(fd);
		}
		renameSync(temp, file);
	} catch (error) {
		unlinkSync(temp);
		throw error;
	}
	syncDirectory(path.dirname(file));
}

/** Makes the rename itself durable; some file systems refuse fsync on a directory, which is harmless. */
function syncDirectory(dir: string): void {
	let fd: number | undefined;
	try {
		fd = openSync(dir, 'r');
		fsyncSync(fd);
	} catch {
		// The file is written and renamed; only its survival of a power cut is less certain.
	} finally {
		if (fd !== undefined) closeSync(fd);
	}
}
