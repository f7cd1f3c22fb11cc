import {closeSync, fsyncSync, openSync, renameSync, unlinkSync} from 'node:fs';
import {randomBytes} from 'node:crypto';
import path from 'node:path';
import {writeAllSynced} from '../files/write-all.ts';

/**
 * Writes `text` to `file` so that readers see the old file or the whole new
 * one, never a half-written report: a temporary file in the same directory
 * (same file system, so the rename is atomic), mode 0600 from creation
 * (reports hold query text and host names), written whole (short writes on a
 * nearly full disk are continued, and their ENOSPC thrown) and flushed to
 * disk, then renamed. On any failure the temporary file is removed.
 * Synchronous, so it also works from a signal handler on the way out.
 */
export function writeFileAtomic(file: string, text: string): void {
	const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
	const fd = openSync(temp, 'wx', 0o600);
	try {
		try {
			writeAllSynced(fd, text);
		} finally {
			closeSync(fd);
		}
		renameSync(temp, file);
	} catch (error) {
		try {
			unlinkSync(temp);
		} catch {
			// Already gone; the write's own error is the one to tell.
		}
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
