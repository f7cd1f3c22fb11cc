import {readdir, readFile, rm, stat} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/* A drill killed with SIGKILL (or a machine that lost power) cannot clean up
 * after itself: its temporary directory and maybe its PostgreSQL are left
 * behind. Each drill directory names the process that owns it; the next drill
 * removes the directories whose owner is gone, stopping their server first. */

export const drillDirPrefix = 'pg500-drill-';
export const ownerFile = 'owner.pid';

/** Whether process `pid` exists, whoever owns it. */
export function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		// EPERM: it exists but belongs to someone else (the postgres user).
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

async function readPid(file: string): Promise<number | undefined> {
	try {
		const pid = Number((await readFile(file, 'utf8')).split('\n')[0]);
		return Number.isInteger(pid) && pid > 0 ? pid : undefined;
	} catch {
		return undefined;
	}
}

/** Only a process whose command line names this data directory is ours to stop. */
async function isPostmasterOf(pid: number, dataDir: string): Promise<boolean> {
	try {
		return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').includes(dataDir);
	} catch {
		return false;
	}
}

async function waitUntilGone(pid: number, ms: number): Promise<void> {
	const until = Date.now() + ms;
	while (alive(pid) && Date.now() < until) await new Promise(resolve => setTimeout(resolve, 50));
}

/** A directory without an owner file older than this was abandoned while being created. */
const unownedGraceMs = 10 * 60_000;

/** Removes the leftovers of drills whose process is gone; returns the directories removed. */
export async function sweepLeftovers(tmp = os.tmpdir()): Promise<string[]> {
	let names: string[];
	try {
		names = (await readdir(tmp)).filter(n => n.startsWith(drillDirPrefix));
	} catch {
		return [];
	}
	const removed: string[] = [];
	for (const name of names) {
		const dir = path.join(tmp, name);
		const owner = await readPid(path.join(dir, ownerFile));
		if (owner !== undefined ? alive(owner) : await recent(dir)) continue;
		const dataDir = path.join(dir, 'data');
		const postmaster = await readPid(path.join(dataDir, 'postmaster.pid'));
		if (postmaster && alive(postmaster) && (await isPostmasterOf(postmaster, dataDir))) {
			try {
				process.kill(postmaster, 'SIGQUIT');
				await waitUntilGone(postmaster, 3000);
			} catch {
				// Gone in the meantime.
			}
		}
		await rm(dir, {recursive: true, force: true, maxRetries: 5, retryDelay: 50}).catch(() => {});
		removed.push(dir);
	}
	return removed;
}

async function recent(dir: string): Promise<boolean> {
	try {
		return Date.now() - (await stat(dir)).mtimeMs < unownedGraceMs;
	} catch {
		return true;
	}
}
