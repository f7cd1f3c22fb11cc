import {closeSync, openSync, readFileSync, unlinkSync} from 'node:fs';
import os from 'node:os';
import {fileProblem} from '../files/file-problem.ts';
import {writeAllSynced} from '../files/write-all.ts';
import {escapeUntrusted} from '../text/escape.ts';
import {JournalError} from './header.ts';

/* One session at a time appends to a journal. After a dropped SSH link the
 * old pg500 often still runs; a second one resuming the same journal would
 * run steps twice and lose one operator's notes. The session holds
 * `JOURNAL.lock` (created exclusively: pid, host, since) until it ends. A
 * lock left by a process that died (kill -9, power loss) on this host is
 * taken over; one from another host is left for the operator to judge. */

export interface LockHolder {
	pid: number;
	host: string;
	since: string;
}

export interface JournalLock {
	readonly path: string;
	release(): void;
}

/** The journal is in use by another pg500: who, so the operator can judge whether it is still alive. */
export class JournalLockedError extends JournalError {
	constructor(
		readonly journal: string,
		readonly holder: LockHolder | undefined,
		readonly lockPath: string,
	) {
		const who = holder
			? `pg500 pid ${holder.pid} on ${escapeUntrusted(holder.host)} since ${escapeUntrusted(holder.since)}`
			: 'another pg500 (its lock file cannot be read)';
		super(`${journal} is in use by ${who}; if that session is gone, remove ${lockPath}`);
		this.name = 'JournalLockedError';
	}
}

export function lockPathOf(journal: string): string {
	return `${journal}.lock`;
}

function readHolder(lockPath: string): LockHolder | undefined {
	try {
		const value = JSON.parse(readFileSync(lockPath, 'utf8')) as Partial<LockHolder>;
		if (typeof value.pid === 'number' && Number.isInteger(value.pid) && typeof value.host === 'string' && typeof value.since === 'string')
			return {pid: value.pid, host: value.host, since: value.since};
	} catch {
		// Unreadable or half-written: treated as held, never silently taken.
	}
	return undefined;
}

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
	} catch (error) {
		// EPERM: it exists, it is someone else's.
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
	// A process killed with -9 whose parent has not reaped it yet still answers: it is a zombie, gone all the same.
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
	} catch {
		return true;
	}
}

/** Takes the journal's lock, or throws JournalLockedError naming who holds it. */
export function lockJournal(journal: string): JournalLock {
	const lockPath = lockPathOf(journal);
	const me: LockHolder = {pid: process.pid, host: os.hostname(), since: new Date().toISOString()};
	for (let attempt = 0; ; attempt++) {
		let fd: number;
		try {
			fd = openSync(lockPath, 'wx', 0o600);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new JournalError(`${journal}: cannot lock the journal: ${fileProblem(error)}`);
			const holder = readHolder(lockPath);
			const stale = holder !== undefined && holder.host === me.host && holder.pid !== process.pid && !alive(holder.pid);
			if (!stale || attempt > 0) throw new JournalLockedError(journal, holder, lockPath);
			try {
				unlinkSync(lockPath);
			} catch {
				// Another pg500 took it over first: the next attempt says so.
			}
			continue;
		}
		try {
			writeAllSynced(fd, `${JSON.stringify(me)}\n`);
		} catch (error) {
			unlinkSync(lockPath);
			throw new JournalError(`${journal}: cannot lock the journal: ${fileProblem(error)}`);
		} finally {
			closeSync(fd);
		}
		return {
			path: lockPath,
			release() {
				// Only our own lock: a stale-lock takeover by another session must not be undone by us.
				const holder = readHolder(lockPath);
				if (holder?.pid === me.pid && holder.since === me.since && holder.host === me.host) {
					try {
						unlinkSync(lockPath);
					} catch {
						// Already gone.
					}
				}
			},
		};
	}
}
