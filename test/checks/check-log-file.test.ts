import {test} from 'node:test';
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {logFileProblem} from '../../source/checks/check-log-file.ts';

/* A log path typed in the TUI: a regular file is read; anything else is one
 * line, at once — a FIFO without a writer must not hang the guide. */

test('a FIFO, a device, a directory and a missing path are refused with one line; a file is fine', async () => {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'pg500-log-path-'));
	try {
		const fifo = path.join(dir, 'pipe');
		execFileSync('mkfifo', [fifo]);
		const file = path.join(dir, 'denokv.log');
		await writeFile(file, 'a line\n');
		assert.match((await logFileProblem(fifo))!, /^cannot read the log file .*pipe: it is a FIFO/);
		assert.match((await logFileProblem('/dev/zero'))!, /: it is a device, not a file$/);
		assert.match((await logFileProblem(dir))!, /: it is a directory$/);
		assert.match((await logFileProblem(path.join(dir, 'absent.log')))!, /: no such file$/);
		assert.equal(await logFileProblem(file), undefined);
		for (const p of [fifo, '/dev/zero', dir]) assert.ok(!(await logFileProblem(p))!.includes('\n'), 'one line');
	} finally {
		await rm(dir, {recursive: true, force: true});
	}
});
