import {fstatSync, readdirSync, readFileSync, readlinkSync} from 'node:fs';

/* Ending a command the operator ran (the `x` key) and everything it
 * started. Its process group is not enough: a grandchild can leave it, and
 * its session, with setsid, and still hold the output pipe open (so the
 * capture never ends). On Linux /proc tells who else belongs to it: every
 * process of its session, and every process that holds its output pipes. */

/** The inode of a pipe's file descriptor, as /proc/PID/fd shows it (`pipe:[123]`). */
export function pipeInode(fd: number | undefined): number | undefined {
	if (fd === undefined || fd < 0) return undefined;
	try {
		return fstatSync(fd).ino;
	} catch {
		return undefined;
	}
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

/** Session id of a process, from /proc/PID/stat (the fields after the command name, which may hold spaces). */
function sessionOf(pid: number): number | undefined {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return Number(fields[3]);
	} catch {
		return undefined;
	}
}

function holdsPipe(pid: number, inodes: Set<number>): boolean {
	let fds: string[];
	try {
		fds = readdirSync(`/proc/${pid}/fd`);
	} catch {
		return false;
	}
	for (const fd of fds) {
		try {
			const m = /^pipe:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
			if (m && inodes.has(Number(m[1]))) return true;
		} catch {
			// Closed meanwhile.
		}
	}
	return false;
}

/** Every process of session `sid` or holding one of the pipes `inodes` — but never this process. */
export function belongingTo(sid: number, inodes: Set<number>): number[] {
	return pids().filter(pid => pid !== process.pid && (sessionOf(pid) === sid || (inodes.size > 0 && holdsPipe(pid, inodes))));
}

function kill(pid: number, group: boolean): void {
	try {
		process.kill(group ? -pid : pid, 'SIGKILL');
	} catch {
		// Already gone, or not ours.
	}
}

/**
 * SIGKILL to the command's process group, then to every process of its
 * session and every holder of its output pipes (and their process groups),
 * until none is left (a dying shell may fork once more).
 */
export function killCommand(leader: number, inodes: Set<number>): void {
	kill(leader, true);
	for (let round = 0; round < 5; round++) {
		const left = belongingTo(leader, inodes);
		if (left.length === 0) return;
		for (const pid of left) {
			kill(pid, true);
			kill(pid, false);
		}
	}
}
