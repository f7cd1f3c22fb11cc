import {execFileSync, spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {startTestServer} from '../test/support/pg.ts';
import {startWriteLoad} from '../source/drill/write-load.ts';

/* What watching costs. The server: the watch query's own execution time (as
 * pg_stat_statements counts it) on a busy server — 300 connections and one
 * session holding 5,000 locks, then 100 writers queued on a lock as well.
 * The client: CPU of `pg500 watch` at the default interval (lines, and the
 * view in a terminal), and of the guided session with `w` open; the bytes
 * the view sends a terminal per sample at 80×24 (tmux's pipe-pane counts
 * them). Prints numbers only. */

const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], {encoding: 'utf8'}).trim()) || 100;
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
	const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
	return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

export async function benchWatch(bin: string, print: (line: string) => void): Promise<void> {
	const seconds = Number(process.env.BENCH_WATCH_SECONDS ?? 60);
	const server = await startTestServer({max_connections: '520', shared_preload_libraries: 'pg_stat_statements'});
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pg500-bench-watch-'));
	const socket = path.join(dir, 'tmux.sock');
	const clients: pg.Client[] = [];
	try {
		const db = await server.createDatabase({denokv: true});
		await server.sql(db, 'CREATE EXTENSION pg_stat_statements');
		await server.sql('postgres', `CREATE ROLE watcher LOGIN PASSWORD 'watcher-pw' IN ROLE pg_monitor`);
		const url = server.url(db, {user: 'watcher', password: 'watcher-pw'});
		const serverTime = async (what: string) => {
			await server.sql(db, 'SELECT pg_stat_statements_reset()');
			const run = spawn(process.execPath, [bin, 'watch', '--url', url, '--interval', '0.2', '--count', '50', '--format', 'json'], {stdio: 'ignore'});
			await new Promise(resolve => run.on('close', resolve));
			const {rows} = await server.sql(
				db,
				`SELECT calls::int, round(mean_exec_time::numeric, 2) AS mean, round(min_exec_time::numeric, 2) AS min, round(max_exec_time::numeric, 2) AS max
				 FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname = 'watcher' AND query LIKE 'WITH activity AS MATERIALIZED%'`,
			);
			const r = rows[0] ?? {calls: 0, mean: '?', min: '?', max: '?'};
			const locks = (await server.sql(db, 'SELECT count(*)::int AS n FROM pg_locks')).rows[0].n;
			const connections = (await server.sql(db, `SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend'`)).rows[0].n;
			print(`watch query, ${what} (${connections} connections, ${locks} rows in pg_locks): server time mean ${r.mean} ms, min ${r.min}, max ${r.max} over ${r.calls} samples`);
		};

		await serverTime('an idle server');
		for (let i = 0; i < 300; i++) clients.push(await server.connect(db));
		const holder = clients[0]!;
		await holder.query('BEGIN; SELECT count(pg_advisory_xact_lock(g)) FROM generate_series(1, 5000) g');
		await serverTime('300 connections, one holding 5,000 locks');
		const leak = clients[1]!;
		await leak.query('BEGIN; UPDATE data_version SET version = version + 1 WHERE k = 0');
		const queued = clients.slice(2, 102).map(c => c.query('UPDATE data_version SET version = version + 1 WHERE k = 0').catch(() => undefined));
		await sleep(1500);
		await serverTime('and 100 writers queued behind a leaked transaction');
		await leak.query('ROLLBACK');
		await Promise.all(queued);
		await holder.query('ROLLBACK');

		// The client's side, under a healthy write load at the default interval.
		const load = startWriteLoad({url: server.url(db), clients: 10});
		await load.flowing;
		try {
			const lines = spawn(process.execPath, [bin, 'watch', '--url', url, '--format', 'json'], {stdio: 'ignore'});
			await sleep(2000);
			const start = cpuSeconds(lines.pid!);
			await sleep(seconds * 1000);
			const used = cpuSeconds(lines.pid!) - start;
			lines.kill('SIGINT');
			print(`pg500 watch --format json, every 2 s for ${seconds} s: ${(used * 1000).toFixed(0)} ms of CPU (${((100 * used) / seconds).toFixed(2)} % of a core)`);

			execFileSync('tmux', ['-S', socket, 'start-server', ';', 'set-option', '-s', 'exit-empty', 'off']);
			const inTmux = async (name: string, args: string[], keys: string[]) => {
				const command = ['exec', process.execPath, bin, ...args].map(a => `'${a}'`).join(' ');
				const bytes = path.join(dir, `${name}.bytes`);
				execFileSync('tmux', ['-S', socket, 'new-session', '-d', '-s', name, '-x', '80', '-y', '24', '-e', 'LANG=C.UTF-8', '-e', `XDG_STATE_HOME=${dir}`, command]);
				const pid = Number(execFileSync('tmux', ['-S', socket, 'display-message', '-p', '-t', name, '#{pane_pid}'], {encoding: 'utf8'}).trim());
				await sleep(2500);
				for (const key of keys) execFileSync('tmux', ['-S', socket, 'send-keys', '-t', name, key]);
				// The view's first frame drawn, then only what samples change.
				await sleep(3000);
				execFileSync('tmux', ['-S', socket, 'pipe-pane', '-o', '-t', name, `cat >> '${bytes}'`]);
				const start = cpuSeconds(pid);
				await sleep(seconds * 1000);
				const used = cpuSeconds(pid) - start;
				const sent = statSync(bytes).size;
				execFileSync('tmux', ['-S', socket, 'send-keys', '-t', name, 'q']);
				await sleep(1500);
				return {used, perSample: sent / (seconds / 2)};
			};
			const view = await inTmux('view', ['watch', '--url', url], []);
			print(`pg500 watch on a terminal (80×24), every 2 s for ${seconds} s: ${(view.used * 1000).toFixed(0)} ms of CPU (${((100 * view.used) / seconds).toFixed(2)} % of a core), ${view.perSample.toFixed(0)} bytes to the terminal a sample`);
			const guide = await inTmux('guide', ['--url', url], ['w']);
			print(`guided session with w open (80×24), every 2 s for ${seconds} s: ${(guide.used * 1000).toFixed(0)} ms of CPU (${((100 * guide.used) / seconds).toFixed(2)} % of a core), ${guide.perSample.toFixed(0)} bytes to the terminal a sample`);
		} finally {
			await load.stop();
		}
	} finally {
		spawnSync('tmux', ['-S', socket, 'kill-server']);
		await Promise.allSettled(clients.map(c => c.end()));
		await server.stop();
		rmSync(dir, {recursive: true, force: true});
	}
}

if (import.meta.url === `file://${process.argv[1]}`) {
	await benchWatch(path.resolve(import.meta.dirname, '../dist/pg500.mjs'), line => console.log(`  ${line}`));
}
