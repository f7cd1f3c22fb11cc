import {open} from 'node:fs/promises';
import {LogFileError, logFileError} from '../logs/log-file-error.ts';

/**
 * Whether a log path typed in the TUI can be read: undefined when it can,
 * else the one line that says why (no such file, permission denied, a
 * directory…), so the operator can type another before anything runs.
 */
export async function logFileProblem(path: string): Promise<string | undefined> {
	try {
		const handle = await open(path, 'r');
		try {
			const stat = await handle.stat();
			if (stat.isDirectory()) return logFileError(path, {code: 'EISDIR'}).message;
			if (!stat.isFile()) return new LogFileError(path, 'not a regular file').message;
		} finally {
			await handle.close();
		}
		return undefined;
	} catch (error) {
		return logFileError(path, error).message;
	}
}
