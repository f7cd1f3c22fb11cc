import {randomBytes} from 'node:crypto';
import {readdirSync, readFileSync} from 'node:fs';

/* Ending a command the operator ran (the `x` key) and everything it
 * started. Its process group is not enough: a grandchild can leave it, and
 * its session, with `setsid … &`, and still hold the output open (so the
 * capture never ends). Every process the command starts inherits a marker in
 * its environment; on Linux /proc tells which processes carry it, whatever
 * group or session they moved to. */

export const markerName = 'PG500_COMMAND';

/** A marker unique to one command, to put in its environment. */
export function newMarker(): string {
	return randomBytes(8).toString('hex');
}

function pids(): number[] {
	try {
		return readdirSync('/proc')
			.filter(name => /^\d+$/.test(name))
			.map(Number);
	} catch {
		return [];
	}
}

function carries(pid: number, entry: Buffer): boolean {
	try {
		const environ = readFileSync(`/proc/${pid}/environ`);
		// Entries are NUL-separated; the marker is a whole entry.
		return environ.indexOf(entry) === 0 || environ.indexOf(Buffer.concat([Buffer.from([0]), entry])) >= 0;
	} catch {
		return false;
	}
}

/** Every process that carries `marker` — never this process. */
export function processesMarked(marker: string): number[] {
	const entry = Buffer.from(`${markerName}=${marker}\0`);
	return pids().filter(pid => pid !== process.pid && carries(pid, entry));
}

function kill(pid: number, group: boolean): void {
	try {
		process.kill(group ? -pid : pid, 'SIGKILL');
	} catch {
		// Already gone, or not ours.
	}
}

/**
 * SIGKILL to the command's process group (and session: its leader started
 * both), then to every process carrying its marker and their groups, until
 * none is left (a dying shell may fork once more).
 */
export function killCommand(leader: number, marker: string): void {
	kill(leader, true);
	for (let round = 0; round < 5; round++) {
		const left = processesMarked(marker);
		if (left.length === 0) return;
		for (const pid of left) {
			kill(pid, true);
			kill(pid, false);
		}
	}
}
