import {spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/* A disk that is nearly full, for real: a 64 KB tmpfs with most of it
 * taken, where this machine lets the tests mount one (root, or a user
 * namespace). Elsewhere, `ulimit -f` gives the same short writes and
 * EFBIG to a child process (with SIGXFSZ ignored, as a shell's trap '' does). */

export interface NearlyFull {
	/** A directory whose file system has about `free` bytes left (or where a child may write that much per file). */
	dir: string;
	how: 'tmpfs' | 'ulimit';
	/** The command line to run a child under the limit (ulimit) or as it is (tmpfs). */
	wrap(argv: string[]): string[];
	/** Frees the space taken (tmpfs only): what a person does after the disk filled up. */
	free(): void;
	cleanup(): void;
}

export function nearlyFullDisk(free = 8 * 1024): NearlyFull {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pg500-full-'));
	const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0755', 'tmpfs', dir]).status === 0;
	if (mounted) {
		const filler = path.join(dir, 'filler');
		// tmpfs counts whole pages: fill all but `free` bytes (rounded down to pages).
		writeFileSync(filler, Buffer.alloc(64 * 1024 - Math.ceil(free / 4096) * 4096));
		const work = path.join(dir, 'work');
		mkdirSync(work);
		return {
			dir: work,
			how: 'tmpfs',
			wrap: argv => argv,
			free: () => rmSync(filler, {force: true}),
			cleanup() {
				spawnSync('umount', ['-l', dir]);
				rmSync(dir, {recursive: true, force: true});
			},
		};
	}
	const blocks = Math.max(1, Math.floor(free / 1024));
	return {
		dir,
		how: 'ulimit',
		wrap: argv => ['/bin/bash', '-c', `trap '' XFSZ; ulimit -f ${blocks}; exec "$@"`, 'limited', ...argv],
		free() {
			throw new Error('a file-size limit cannot be lifted from outside the process');
		},
		cleanup: () => rmSync(dir, {recursive: true, force: true}),
	};
}
