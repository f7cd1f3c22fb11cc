import {execFile} from 'node:child_process';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import type pg from 'pg';
import {startTestServer, waitForLockWaits} from '../test/support/pg.ts';
import {startWriteLoad} from '../source/drill/write-load.ts';
import {median} from './measure.ts';

/* The diagnosis under a real denokv-shaped write load: how often a healthy
 * load alone is called anything but "ok" (false alarms), and what the locks
 * step costs with N writers queued behind one leaked transaction. */

const run = promisify(execFile);

interface Report {
	verdict: string;
	steps: {id: string; status: string; durationMs: number}[];
}

export async function benchUnderLoad(bin: string, print: (line: string) => void): Promise<void> {
	const server = await startTestServer({max_connections: '520'});
	const dir = await mkdtemp(path.join(os.tmpdir(), 'pg500-bench-'));
	const pg500 = async (url: string): Promise<Report> => {
		const output = path.join(dir, 'report.json');
		await run(process.execPath, [bin, 'run', '--url', url, '--format', 'json', '--output', output]).catch(() => undefined);
		return JSON.parse(await readFile(output, 'utf8')) as Report;
	};
	try {
		const runs = Number(process.env.BENCH_LOAD_RUNS ?? 10);
		for (const clients of [10, 30, 100]) {
			const db = await server.createDatabase({denokv: true});
			const load = startWriteLoad({url: server.url(db), clients});
			await load.flowing;
			const verdicts: string[] = [];
			for (let i = 0; i < runs; i++) verdicts.push((await pg500(server.url(db))).verdict);
			const stats = load.stats();
			await load.stop();
			const alarms = verdicts.filter(v => v !== 'ok');
			print(`healthy load of ${String(clients).padStart(3)} clients: ${alarms.length} false alarms in ${runs} runs (${stats.committed} writes, ${stats.failed} failed)${alarms.length ? `: ${alarms.join(', ')}` : ''}`);
		}

		for (const waiters of [10, 30, 100]) {
			const db = await server.createDatabase({denokv: true});
			const clients: pg.Client[] = [];
			const idle = await Promise.all(Array.from({length: 300}, () => server.connect(db)));
			const leak = await server.connect(db);
			await leak.query('BEGIN; UPDATE data_version SET version = version + 1 WHERE k = 0');
			clients.push(...idle, leak);
			const queued: Promise<unknown>[] = [];
			for (let i = 0; i < waiters; i++) {
				const writer = await server.connect(db);
				clients.push(writer);
				queued.push(writer.query('UPDATE data_version SET version = version + 1 WHERE k = 0').catch(() => undefined));
			}
			await waitForLockWaits(server, db, waiters, 1.2);
			const times: number[] = [];
			let status = '';
			for (let i = 0; i < 5; i++) {
				const locks = (await pg500(server.url(db))).steps.find(s => s.id === 'locks')!;
				times.push(locks.durationMs);
				status = locks.status;
			}
			print(`locks step, ${String(waiters).padStart(3)} writers queued behind one leak, 300 idle sessions: median ${median(times)} ms of 5 (${Math.min(...times)}–${Math.max(...times)} ms), ${status}`);
			await leak.query('ROLLBACK');
			await Promise.all(queued);
			await Promise.all(clients.map(c => c.end()));
		}
	} finally {
		await rm(dir, {recursive: true, force: true});
		await server.stop();
	}
}
