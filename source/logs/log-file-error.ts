import {UsageError} from '../errors.ts';
import {escapeUntrusted} from '../text/escape.ts';

/** A log file the user named that cannot be read: one line naming the path, exit 3. */
export class LogFileError extends UsageError {
	constructor(
		readonly path: string,
		reason: string,
	) {
		super(`cannot read the log file ${escapeUntrusted(path)}: ${reason}`);
		this.name = 'LogFileError';
	}
}

const reasons: Record<string, string> = {
	ENOENT: 'no such file',
	EACCES: 'permission denied',
	EPERM: 'permission denied',
	EISDIR: 'it is a directory',
	ELOOP: 'too many symbolic links',
	ENOTDIR: 'a part of the path is not a directory',
	Z_DATA_ERROR: 'not a valid gzip file',
	Z_BUF_ERROR: 'truncated gzip file',
};

/** Turns an fs or zlib error into a LogFileError with a short reason (no stack, no errno soup). */
export function logFileError(path: string, error: unknown): LogFileError {
	const code = (error as {code?: string}).code ?? '';
	return new LogFileError(path, reasons[code] ?? (code || (error as Error).message || 'unreadable'));
}
