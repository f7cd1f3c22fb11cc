import {constants, type Stats} from 'node:fs';
import {open, stat} from 'node:fs/promises';
import {LogFileError, logFileError} from '../logs/log-file-error.ts';

/**
 * Whether a log path typed in the TUI can be read: undefined when it can,
 * else the one line that says why (no such file, permission denied, a
 * directory, a FIFO or a device…), so the operator can type another before
 * anything runs. Only a regular file is a log here: opening a FIFO waits for
 * a writer that may never come, and a device never ends. The path is looked
 * at before it is opened, and opened without blocking in case it changed.
 */
export async function logFileProblem(path: string): Promise<string | undefined> {
	try {
		const kind = notAFile(await stat(path));
		if (kind) return new LogFileError(path, kind).message;
		const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
		try {
			const changed = notAFile(await handle.stat());
			if (changed) return new LogFileError(path, changed).message;
		} finally {
			await handle.close();
		}
		return undefined;
	} catch (error) {
		return logFileError(path, error).message;
	}
}

function notAFile(stats: Stats): string | undefined {
	if (stats.isFile()) return undefined;
	if (stats.isDirectory()) return 'it is a directory';
	if (stats.isFIFO()) return 'it is a FIFO (a named pipe), not a file: give the file the log is written to';
	if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'it is a device, not a file';
	if (stats.isSocket()) return 'it is a socket, not a file';
	return 'not a regular file';
}
