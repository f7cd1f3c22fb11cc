import {closeSync, constants, fdatasyncSync, fstatSync, ftruncateSync, mkdirSync, openSync, unlinkSync} from 'node:fs';
import path from 'node:path';
import type {RunEvent, TargetInfo} from '../engine/types.ts';
import {fileProblem} from '../files/file-problem.ts';
import {readRegularFile} from '../files/read-regular-file.ts';
import {writeAll, writeAllSynced} from '../files/write-all.ts';
import {redactValue, urlWithoutPassword} from '../text/secrets.ts';
import {journalVersion, JournalError, maxJournalBytes, type JournalHeader} from './header.ts';
import {ensureStateDir, journalDir, journalFileName} from './location.ts';
import {lockJournal, type JournalLock} from './lock.ts';

/* Appending to the journal. Every event is written as it happens (one
 * write per line, straight to the file descriptor, no buffering in the
 * process), so a dropped SSH link or kill -9 loses at most the line being
 * written. What the operator typed is flushed to disk at once (`flush`):
 * one fdatasync per keystroke-sized event is cheap.
 *
 * A write that fails (a full disk) never leaves half a line behind: the file
 * is cut back to its last whole line, the event stays in memory, and every
 * later append (and a timer) tries again, oldest first. `health` says how
 * many events wait, and why, so the screen can tell the operator. */

export interface JournalHealth {
	/** Events held in memory because the file could not take them. */
	unsaved: number;
	/** Why the last write failed, while events wait. */
	problem?: string;
}

export interface JournalWriter {
	readonly path: string;
	append(event: RunEvent, options?: {flush?: boolean}): void;
	health(): JournalHealth;
	/** Called whenever health changes (a write failed, or the waiting events were written after all); returns the unsubscribe. */
	onHealth(listener: (health: JournalHealth) => void): () => void;
	/** Writes what waits, flushes, closes and releases the lock; says what could not be written. */
	close(): JournalHealth;
}

export interface NewJournal {
	/** Directory for a journal named by start time (default: journalDir()). */
	dir?: string;
	/** Exactly this file instead (`--journal PATH`); it must not exist yet. */
	path?: string;
	runbookPath: string;
	runbookText: string;
	target: TargetInfo;
	options: Record<string, unknown>;
	startedAt?: string;
}

/** How often events waiting in memory are tried again without a new event to carry them. */
const retryMs = 5000;

/** The options as a journal keeps them: no functions, and URLs without their password. */
function safeOptions(options: Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(options)) {
		if (value === undefined || typeof value === 'function') continue;
		out[key] = typeof value === 'string' ? urlWithoutPassword(value) : value;
	}
	return redactValue(out);
}

/** Creates a new journal (directory 0700, file 0600), takes its lock and writes its header. */
export function openJournal(spec: NewJournal): JournalWriter {
	const startedAt = spec.startedAt ?? new Date().toISOString();
	let file: string;
	if (spec.path !== undefined) {
		// A place the operator chose (--journal): its directory is made if missing, and theirs to judge.
		file = spec.path;
		mkdirSync(path.dirname(file), {recursive: true, mode: 0o700});
	} else {
		const dir = spec.dir ?? journalDir();
		ensureStateDir(dir);
		file = path.join(dir, journalFileName(startedAt));
	}
	const header: JournalHeader = {
		type: 'session',
		version: journalVersion,
		runbookPath: spec.runbookPath,
		runbookText: spec.runbookText,
		target: redactValue({
			host: spec.target.host,
			port: spec.target.port,
			database: spec.target.database,
			user: spec.target.user,
			serverVersion: spec.target.serverVersion,
			pooler: spec.target.pooler ?? null,
		}),
		options: safeOptions(spec.options),
		startedAt,
	};
	// O_EXCL: never an existing file, never through a symbolic link.
	const fd = openSync(file, 'wx', 0o600);
	let lock: JournalLock | undefined;
	try {
		lock = lockJournal(file);
		writeAllSynced(fd, `${JSON.stringify(header)}\n`);
	} catch (error) {
		closeSync(fd);
		lock?.release();
		unlinkSync(file);
		if (error instanceof JournalError) throw error;
		throw new JournalError(`cannot create the journal ${file}: ${fileProblem(error)}`);
	}
	return writer(file, fd, lock);
}

/**
 * Opens an existing journal to go on appending (`pg500 resume`): takes its
 * lock first (another session may still be appending), then removes a last
 * line cut off by a crash, so the next event starts on a line of its own.
 */
export function reopenJournal(file: string): JournalWriter {
	const lock = lockJournal(file);
	try {
		const text = readRegularFile(file, maxJournalBytes, 'journal');
		const end = text.lastIndexOf('\n') + 1;
		const fd = openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_NOFOLLOW);
		if (!fstatSync(fd).isFile()) {
			closeSync(fd);
			throw new JournalError(`${file}: not a regular file`);
		}
		if (end < text.length) ftruncateSync(fd, Buffer.byteLength(text.slice(0, end)));
		return writer(file, fd, lock);
	} catch (error) {
		lock.release();
		if (error instanceof JournalError) throw error;
		throw new JournalError(`${file}: cannot reopen the journal: ${fileProblem(error)}`);
	}
}

function writer(file: string, fd: number, lock: JournalLock): JournalWriter {
	let open = true;
	/** Lines not on disk yet, oldest first; flush: at least one of them asked for fdatasync. */
	const waiting: string[] = [];
	let flushWanted = false;
	let problem: string | undefined;
	let retry: NodeJS.Timeout | undefined;
	const listeners = new Set<(health: JournalHealth) => void>();
	const health = (): JournalHealth => (waiting.length === 0 && !problem ? {unsaved: 0} : {unsaved: waiting.length, ...(problem ? {problem} : {})});
	const tell = () => {
		const now = health();
		for (const listener of listeners) listener(now);
	};

	/** Writes what waits; true when nothing waits any more. Never throws. */
	const drain = (): boolean => {
		const before = problem;
		while (waiting.length > 0) {
			const line = waiting[0]!;
			// Where a failed write has to cut back to: the end of the last whole line.
			const end = fstatSync(fd).size;
			try {
				writeAll(fd, line, end);
			} catch (error) {
				try {
					ftruncateSync(fd, end);
				} catch {
					// Could not even cut back: the reader drops a cut-off last line, and the next write starts by cutting again.
				}
				problem = fileProblem(error);
				break;
			}
			waiting.shift();
		}
		if (waiting.length === 0 && flushWanted) {
			try {
				fdatasyncSync(fd);
				flushWanted = false;
			} catch (error) {
				problem = fileProblem(error);
			}
		}
		if (waiting.length === 0 && !flushWanted) problem = undefined;
		if (problem && !retry) {
			retry = setInterval(() => {
				if (drain()) clearRetry();
			}, retryMs);
			// The retry never keeps the process alive on its own.
			retry.unref();
		}
		if (problem !== before) tell();
		return problem === undefined;
	};
	const clearRetry = () => {
		if (retry) clearInterval(retry);
		retry = undefined;
	};

	return {
		path: file,
		append(event, options = {}) {
			if (!open) throw new Error(`journal ${file} is closed`);
			waiting.push(`${JSON.stringify(redactValue(event))}\n`);
			if (options.flush) flushWanted = true;
			drain();
		},
		health,
		onHealth(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		close() {
			if (!open) return health();
			open = false;
			clearRetry();
			flushWanted = true;
			drain();
			closeSync(fd);
			lock.release();
			return health();
		},
	};
}
