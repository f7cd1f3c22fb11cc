import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {mkdtempSync, readdirSync, rmSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {startTestServer, type TestServer} from '../support/pg.ts';
import {startWriteLoad} from '../../source/drill/write-load.ts';
import {bin, journalEvents, tmuxOn, tmuxSkip} from '../ui/tmux-support.ts';

/* The guided session's `w` in a real terminal at 80×24, under a write load:
 * the live view opens with one key and refreshes itself; only the cells
 * that change are sent; closed, pg500 sends the server nothing at all —
 * counted by the server itself (pg_stat_statements of pg500's own role,
 * and its backend's last statement in pg_stat_activity). */

let server: TestServer;
before(async () => {
	if (tmuxSkip) return;
	server = await startTestServer({shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all'});
	await server.sql('postgres', `CREATE ROLE watcher LOGIN PASSWORD 'watcher-pw' IN ROLE pg_monitor`);
});
after(() => server?.stop());

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

test('w opens the live watch at 80×24 and it updates; w closes it and pg500 sends no query until it opens again', {skip: tmuxSkip}, async () => {
	const db = await server.createDatabase({denokv: true});
	await server.sql(db, 'CREATE EXTENSION pg_stat_statements');
	const load = startWriteLoad({url: server.url(db), clients: 5});
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pg500-guide-watch-'));
	const {tmux, waitForPane, kill} = tmuxOn(path.join(dir, 'tmux.sock'));
	/** Statements pg500's role ran, as the server counts them. */
	const statements = async () =>
		Number((await server.sql(db, `SELECT coalesce(sum(calls), 0)::int AS n FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname = 'watcher'`)).rows[0].n);
	const backend = async () => (await server.sql(db, `SELECT pid, query_start FROM pg_stat_activity WHERE application_name = 'pg500' AND datname = current_database()`)).rows;
	try {
		await load.flowing;
		const url = server.url(db, {user: 'watcher', password: 'watcher-pw'});
		tmux('new-session', '-d', '-s', 'guide', '-x', '80', '-y', '24', `LANG=C.UTF-8 XDG_STATE_HOME=${dir}/state node ${bin} --url '${url}'; echo "exit $?"; sleep 60`);
		await waitForPane('guide', s => /w watch/.test(s), 'the first frame, with w in the footer');
		// Every byte pg500 writes to the terminal from here on.
		tmux('pipe-pane', '-o', '-t', 'guide', `cat >> ${dir}/bytes`);
		tmux('send-keys', '-t', 'guide', 'w');
		const sparkOf = (screen: string) => screen.split('\n')[2] ?? '';
		const opened = await waitForPane('guide', s => /^✔ client slots used/m.test(s) && sparkOf(s).trim().length >= 2, 'the watch view with two samples');
		assert.match(opened, /^pg500 · watcher@127\.0\.0\.1:\d+\/\w+ · PostgreSQL 18/m, 'the header stays');
		for (const label of ['client slots used', 'idle in transaction', 'oldest idle in transaction', 'waiting on locks', 'longest lock wait', 'new deadlocks', 'commits', 'rollbacks'])
			assert.match(opened, new RegExp(`^[✔⚠✖] ${label} `, 'm'), label);
		assert.match(opened, /w\/Esc close the watch/);
		const lines = opened.replace(/\n$/, '').split('\n');
		assert.equal(lines.length, 24);
		// It refreshes by itself: a cell a sample.
		const bytesAt = () => statSync(`${dir}/bytes`).size;
		const [cellsBefore, bytesBefore] = [sparkOf(opened).trim().length, bytesAt()];
		const later = await waitForPane('guide', s => sparkOf(s).trim().length >= cellsBefore + 3, 'three more samples', 30_000);
		const samples = sparkOf(later).trim().length - cellsBefore;
		const perSample = (bytesAt() - bytesBefore) / samples;
		// The whole 80×24 frame is some 3 KB; a sample changes a few figures and one cell of each sparkline.
		assert.ok(perSample < 1200, `${perSample.toFixed(0)} bytes a sample`);
		assert.ok((await statements()) > 0, 'the samples reached the server as pg500 statements');

		tmux('send-keys', '-t', 'guide', 'w');
		await waitForPane('guide', s => /Enter run next/.test(s) && !/client slots used/.test(s), 'the steps again');
		// A sample in flight when it closed has ended by now; from here on, nothing.
		await sleep(500);
		const [countClosed, lastClosed] = [await statements(), await backend()];
		assert.equal(lastClosed.length, 1, "pg500's one connection stays open");
		await sleep(5000);
		assert.equal(await statements(), countClosed, 'no statement while the watch is closed');
		assert.deepEqual(await backend(), lastClosed, 'the backend ran nothing since');

		// Open again: sampling again, the view shows both watches with a gap between.
		tmux('send-keys', '-t', 'guide', 'w');
		await waitForPane('guide', s => /client slots used/.test(s) && /\S \S/.test(sparkOf(s)), 'the second watch, a gap after the first');
		assert.ok((await statements()) > countClosed);
		tmux('send-keys', '-t', 'guide', 'q');
		const ended = await waitForPane('guide', s => /^exit \d+/m.test(s), 'pg500 to end');
		assert.match(ended, /^journal: /m);
		const journal = readdirSync(path.join(dir, 'state', 'pg500')).find(f => f.endsWith('.jsonl'))!;
		const events = journalEvents(path.join(dir, 'state', 'pg500', journal)).map(e => e.type);
		assert.deepEqual(
			events.filter(t => t.startsWith('watch-') && t !== 'watch-sampled'),
			['watch-started', 'watch-stopped', 'watch-started', 'watch-stopped'],
		);
		assert.ok(events.filter(t => t === 'watch-sampled').length >= 5);
	} finally {
		kill();
		await load.stop();
		rmSync(dir, {recursive: true, force: true});
	}
});
