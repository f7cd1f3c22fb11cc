import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {startTestServer, superuser} from '../test/support/pg.ts';
import {measure, median} from './measure.ts';
import {realPsql} from './psql.ts';
import {floorScript} from './floor.ts';

/* `npm run bench`: what an operator waits for (and what watching costs). Paired runs of `pg500 run`
 * against the guide's quick diagnostic script (three calls of PostgreSQL's
 * own psql binary) on the same database, plus bare node start-up and the
 * floor under pg500 (bench/floor.ts: Node, pg and the same statements, nothing else); a run
 * against a busy server (300 idle connections, one session holding 5,000
 * locks); false alarms under a healthy write load and the locks step's time
 * with 10/30/100 writers queued; the guided screen's first frame in tmux and
 * how long a screen takes to render; the log reader. Prints numbers only.
 * (Where the first frame's time goes: bench/startup-profile.ts.) */

const pairs = Number(process.env.BENCH_PAIRS ?? 10);
const root = path.resolve(import.meta.dirname, '..');
const bin = path.join(root, 'dist/pg500.mjs');
const psql = realPsql();

const quickScript = [
	`SELECT count(*) as total_connections, count(*) FILTER (WHERE state = 'active') as active, count(*) FILTER (WHERE state = 'idle') as idle, count(*) FILTER (WHERE state = 'idle in transaction') as idle_in_tx FROM pg_stat_activity WHERE datname = current_database();`,
	'SELECT count(*) as blocked_locks FROM pg_locks WHERE NOT granted;',
	`SELECT tablename, pg_size_pretty(pg_total_relation_size(quote_ident(tablename)::regclass)) as size FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('kv_store', 'queue_messages', 'queue_running');`,
];

const fmt = (ms: number) => `${ms.toFixed(0)} ms`;

const server = await startTestServer({max_connections: '400'});
try {
	const db = await server.createDatabase({denokv: true});
	const url = server.url(db);
	const psqlEnv = {...process.env, PGPASSWORD: superuser.password};
	const psqlArgs = ['-h', '127.0.0.1', '-p', String(server.port), '-U', superuser.user, '-d', db, '-X', '-q'];

	const runQuickScript = async () => {
		let ms = 0;
		for (const sql of quickScript) ms += (await measure(psql, [...psqlArgs, '-c', sql], psqlEnv)).ms;
		return ms;
	};
	const runPg500 = () => measure(process.execPath, [bin, 'run', '--url', url, '--format', 'json']);
	const floorDir = mkdtempSync(path.join(os.tmpdir(), 'pg500-floor-'));
	const floor = await floorScript(url, floorDir);
	const runFloor = () => measure(process.execPath, [floor.file, url]);

	// One unmeasured round warms the page cache and the server.
	await runPg500();
	await runQuickScript();
	await runFloor();

	const times = {pg500: [] as number[], script: [] as number[], node: [] as number[], floor: [] as number[]};
	const rss: number[] = [];
	for (let i = 0; i < pairs; i++) {
		const run = await runPg500();
		if (run.code !== 0) throw new Error(`pg500 run exited ${run.code} on a healthy database`);
		times.pg500.push(run.ms);
		if (run.peakRssMb !== null) rss.push(run.peakRssMb);
		times.script.push(await runQuickScript());
		times.node.push((await measure(process.execPath, ['-e', '0'])).ms);
		times.floor.push((await runFloor()).ms);
	}
	rmSync(floorDir, {recursive: true, force: true});
	const m = {pg500: median(times.pg500), script: median(times.script), node: median(times.node), floor: median(times.floor)};
	console.log(`healthy database, ${pairs} pairs (medians; psql is ${psql}):`);
	console.log(`  pg500 run (default runbook, json)   ${fmt(m.pg500)}   peak RSS ${median(rss).toFixed(1)} MB`);
	console.log(`  guide's quick script (3 × psql -c)  ${fmt(m.script)}`);
	console.log(`  node -e 0                           ${fmt(m.node)}`);
	console.log(`  the floor: node, pg, pg500's ${floor.statements} statements and nothing else  ${fmt(m.floor)} (${(m.floor / m.script).toFixed(2)}× the script)`);
	console.log(`  pg500 / script ${(m.pg500 / m.script).toFixed(2)}×   pg500 / bare node ${(m.pg500 / m.node).toFixed(2)}×   pg500 minus bare node ${fmt(m.pg500 - m.node)}`);

	// A busy server: 300 idle connections and one session holding 5,000 locks.
	const idle: pg.Client[] = [];
	for (let i = 0; i < 300; i++) {
		const client = new pg.Client({connectionString: url});
		client.on('error', () => {});
		await client.connect();
		idle.push(client);
	}
	const holder = idle[0]!;
	await holder.query('BEGIN; SELECT count(pg_advisory_xact_lock(g)) FROM generate_series(1, 5000) g');
	const watcher = idle[1]!;
	let peakConnections = 0;
	let sampling = true;
	const sampler = (async () => {
		while (sampling) {
			const {rows} = await watcher.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'pg500'`);
			peakConnections = Math.max(peakConnections, rows[0].n as number);
			await new Promise(resolve => setTimeout(resolve, 5));
		}
	})();
	const busy = await runPg500();
	sampling = false;
	await sampler;
	const locks = (await watcher.query('SELECT count(*)::int AS n FROM pg_locks')).rows[0].n as number;
	console.log(`busy server (300 idle connections, ${locks} rows in pg_locks):`);
	console.log(`  pg500 run: ${fmt(busy.ms)}, exit ${busy.code}, peak RSS ${busy.peakRssMb?.toFixed(1) ?? '?'} MB, peak connections of pg500 ${peakConnections}`);
	await holder.query('ROLLBACK');
	await Promise.all(idle.map(c => c.end()));
} finally {
	await server.stop();
}

console.log('\nunder a denokv-shaped write load:');
const {benchUnderLoad} = await import('./under-load.ts');
await benchUnderLoad(bin, line => console.log(`  ${line}`));

console.log('\nwatching (pg500 watch, and w in the guided runbook):');
const {benchWatch} = await import('./watch.ts');
await benchWatch(bin, line => console.log(`  ${line}`));

console.log('\nthe guided screen:');
const {firstFrames} = await import('./first-frame.ts');
const frames = await firstFrames(Number(process.env.BENCH_FRAMES ?? 12));
console.log(`  first frame at 80×24 in tmux, ${frames.runs.length} runs: median ${fmt(frames.median)}, range ${fmt(frames.min)}–${fmt(frames.max)}; CPU to it, median ${fmt(frames.cpuMedian)}`);
const {screenRenderLines} = await import('./screens.tsx');
for (const line of screenRenderLines()) console.log(`  ${line}`);

console.log('\nlog reading (1 GB generated denokv log):');
const {benchLogs} = await import('./logs.ts');
await benchLogs(line => console.log(`  ${line}`));
