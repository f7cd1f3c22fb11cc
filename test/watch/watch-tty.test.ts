import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {startTestServer, type TestServer} from '../support/pg.ts';
import {startWriteLoad} from '../../source/drill/write-load.ts';
import {bin, tmuxOn, tmuxSkip} from '../ui/tmux-support.ts';

/* `pg500 watch` on a terminal (tmux, 80×24): the live view, refreshed in
 * place sample after sample, q ends it with 0 and leaves it on screen. */

let server: TestServer;
before(async () => {
	if (!tmuxSkip) server = await startTestServer();
});
after(() => server?.stop());

const socket = path.join(os.tmpdir(), `pg500-watch-tty-${process.pid}`);

test('at 80×24: the figures and their sparklines refresh in place; q stops with 0 and the last view stays', {skip: tmuxSkip}, async () => {
	const {tmux, waitForPane, kill} = tmuxOn(socket);
	const db = await server.createDatabase({denokv: true});
	const load = startWriteLoad({url: server.url(db), clients: 5});
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pg500-watch-tty-'));
	const leak = await server.connect(db);
	try {
		await load.flowing;
		tmux('new-session', '-d', '-s', 'watch', '-x', '80', '-y', '24', `LANG=C.UTF-8 node ${bin} watch --url '${server.url(db)}' --interval 0.5; echo "exit $?"; sleep 60`);
		// Every byte pg500 writes to the terminal.
		tmux('pipe-pane', '-o', '-t', 'watch', `cat >> ${dir}/bytes`);
		const first = await waitForPane('watch', s => / [3-9] samples, one every 0.5 s/.test(s), 'three samples');
		assert.match(first, /^pg500 watch · postgres@127\.0\.0\.1:\d+\/t\d+_\d+/m);
		for (const label of ['client slots used', 'idle in transaction', 'oldest idle in transaction', 'waiting on locks', 'longest lock wait', 'new deadlocks', 'commits', 'rollbacks'])
			assert.match(first, new RegExp(`^✔ ${label} `, 'm'), label);
		assert.doesNotMatch(first, /postgres:[^@]*test-secret-pw/);
		// A leak starts: the view shows it without being asked.
		await leak.query('BEGIN; SELECT 1');
		const leaking = await waitForPane('watch', s => /^⚠ oldest idle in transaction\s+1\d s/m.test(s), 'the leak aged past the 10 s warning', 30_000);
		assert.match(leaking, /^⚠ idle in transaction\s+[1-9]/m);
		assert.match(leaking, /^✔ commits\s+[1-9][\d.]*\/s/m, 'the load commits');
		const lines = leaking.replace(/\n$/, '').split('\n');
		assert.equal(lines.length, 24);
		assert.ok(lines.every(l => [...l].length <= 80));
		tmux('send-keys', '-t', 'watch', 'q');
		const ended = await waitForPane('watch', s => /^exit \d+/m.test(s), 'the watch to end');
		assert.match(ended, /^exit 0$/m);
		assert.match(ended, /^⚠ oldest idle in transaction/m, 'the last view stays on screen');
		assert.ok(readFileSync(`${dir}/bytes`).length > 0);
	} finally {
		kill();
		await leak.query('ROLLBACK').catch(() => {});
		await load.stop();
		rmSync(dir, {recursive: true, force: true});
	}
});
