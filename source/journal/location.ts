import {lstatSync, mkdirSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {randomBytes} from 'node:crypto';
import {fileProblem} from '../files/file-problem.ts';
import {JournalError} from './header.ts';

/** `$XDG_STATE_HOME/pg500`, else `~/.local/state/pg500` (the XDG base directory default). */
export function journalDir(env: NodeJS.ProcessEnv = process.env): string {
	const base = env['XDG_STATE_HOME'] && path.isAbsolute(env['XDG_STATE_HOME']) ? env['XDG_STATE_HOME'] : path.join(os.homedir(), '.local', 'state');
	return path.join(base, 'pg500');
}

/**
 * Journals hold query text, host names and the operator's notes, and pg500
 * reads them back: their directory must be the user's own. An
 * XDG_STATE_HOME in a shared place must not let another user plant a
 * journal, a symbolic link or a lock there. Returns why `dir` is not safe, or undefined.
 */
export function stateDirProblem(dir: string): string | undefined {
	let info;
	try {
		info = lstatSync(dir);
	} catch (error) {
		return fileProblem(error);
	}
	if (info.isSymbolicLink()) return 'it is a symbolic link; pg500 keeps its journals only in a directory of your own';
	if (!info.isDirectory()) return 'not a directory';
	const uid = process.getuid?.();
	if (uid !== undefined && info.uid !== uid) return `it belongs to uid ${info.uid}, not to you (uid ${uid})`;
	if ((info.mode & 0o077) !== 0) return `others may read or write it (mode ${(info.mode & 0o777).toString(8)}); chmod 700 ${dir}`;
	return undefined;
}

/** Creates the state directory (0700) when missing; throws a one-line JournalError when it is not safe. */
export function ensureStateDir(dir: string): void {
	try {
		// A umask only takes bits away: a directory made here is never wider than 0700.
		mkdirSync(dir, {recursive: true, mode: 0o700});
	} catch (error) {
		throw new JournalError(`cannot use the journal directory ${dir}: ${fileProblem(error)}`);
	}
	const problem = stateDirProblem(dir);
	if (problem) throw new JournalError(`cannot use the journal directory ${dir}: ${problem}`);
}

/** `2024-05-01T03-12-44Z-3f9a1c.jsonl`: sorts by start time, unique across sessions started the same second. */
export function journalFileName(startedAt: string): string {
	const stamp = startedAt.slice(0, 19).replace(/:/g, '-');
	return `${stamp}Z-${randomBytes(3).toString('hex')}.jsonl`;
}

export const journalExtension = '.jsonl';
