/* One wording for what went wrong with a file, whichever command met it:
 * the operator reads one short reason, never an errno soup or a stack. */

const reasons: Record<string, string> = {
	ENOENT: 'no such file',
	EACCES: 'permission denied',
	EPERM: 'permission denied',
	EISDIR: 'it is a directory',
	ENOTDIR: 'a part of the path is not a directory',
	ELOOP: 'too many symbolic links',
	ENOSPC: 'no space left on the device',
	EDQUOT: 'disk quota exceeded',
	EFBIG: 'file too large (a file-size limit, ulimit -f?)',
	EROFS: 'read-only file system',
	EIO: 'input/output error',
	EEXIST: 'it already exists',
	EPIPE: 'the reader went away (broken pipe)',
};

/** A short reason for an fs error: `no space left on the device`, `permission denied`… */
export function fileProblem(error: unknown): string {
	const own = (error as {reason?: unknown}).reason;
	if (typeof own === 'string') return own;
	const code = (error as {code?: unknown}).code;
	if (typeof code === 'string' && reasons[code]) return reasons[code];
	return typeof code === 'string' && code ? code : ((error as Error).message ?? String(error));
}

/** An error with an errno-style code and its reason, for the problems pg500 finds itself (not a regular file, too large). */
export function fileError(code: string, reason: string): NodeJS.ErrnoException & {reason: string} {
	return Object.assign(new Error(reason), {code, reason});
}

/** fileProblem for a file being created: a missing path there is a missing directory. */
export function writeProblem(error: unknown): string {
	return (error as {code?: unknown}).code === 'ENOENT' ? 'no such directory' : fileProblem(error);
}
