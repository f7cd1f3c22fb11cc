import {test} from 'node:test';
import assert from 'node:assert/strict';
import {spawn, type ChildProcess} from 'node:child_process';
import {existsSync} from 'node:fs';
import {createServer, type AddressInfo} from 'node:net';
import path from 'node:path';
import pg from 'pg';
import {freePort, startEmbeddedPostgres} from '../../source/drill/embedded.ts';
import {alive, sweepLeftovers} from '../../source/drill/sweep.ts';

/* The drill's server and files go away however the tool ends. */

const fixture = path.join(import.meta.dirname, 'fixtures', 'hold-server.ts');

async function gone(pid: number): Promise<boolean> {
	for (let i = 0; i < 100 && alive(pid); i++) await new Promise(resolve => setTimeout(resolve, 50));
	return !alive(pid);
}

async function holdServer(mode = 'wait'): Promise<{child: ChildProcess; dir: string; pid: number; exit: Promise<{code: number | null; signal: string | null}>}> {
	const child = spawn(process.execPath, ['--import', 'tsx', fixture, mode], {stdio: ['ignore', 'pipe', 'pipe']});
	const exit = new Promise<{code: number | null; signal: string | null}>(resolve => child.on('exit', (code, signal) => resolve({code, signal})));
	let err = '';
	child.stderr!.on('data', chunk => (err += String(chunk)));
	let out = '';
	for await (const chunk of child.stdout!) {
		out += String(chunk);
		if (out.includes('\n')) break;
	}
	if (!out.includes('\n')) {
		const {code, signal} = await exit;
		assert.fail(`the tool ended (${signal ?? code}) before its server ran: ${err.trim()}`);
	}
	const {dir, pid} = JSON.parse(out) as {dir: string; pid: number};
	assert.ok(existsSync(dir) && alive(pid), 'the server runs');
	return {child, dir, pid, exit};
}

// Each case starts a server of its own (initdb): they run side by side.
test('Ctrl-C, SIGTERM, SIGHUP: the server stops and its directory is removed', {concurrency: true}, async t => {
	await Promise.all(
		(['SIGTERM', 'SIGHUP', 'SIGINT'] as const).map(signal =>
			t.test(signal, async () => {
				const {child, dir, pid, exit} = await holdServer();
				child.kill(signal);
				const {code} = await exit;
				assert.equal(code, 128 + {SIGHUP: 1, SIGINT: 2, SIGTERM: 15}[signal]);
				assert.ok(await gone(pid), 'postmaster gone');
				assert.equal(existsSync(dir), false);
			}),
		),
	);
});

test('a crash of the tool: the exit hook still stops the server and removes its directory', async () => {
	const {dir, pid, exit} = await holdServer('crash');
	const {code} = await exit;
	assert.equal(code, 1);
	assert.ok(await gone(pid), 'postmaster gone');
	assert.equal(existsSync(dir), false);
});

test('killed with SIGKILL: the leftover is swept at the next start, server included', async () => {
	const {child, dir, pid, exit} = await holdServer();
	child.kill('SIGKILL');
	await exit;
	assert.ok(existsSync(dir) && alive(pid), 'nothing could clean up');
	const removed = await sweepLeftovers();
	assert.ok(removed.includes(dir));
	assert.ok(await gone(pid), 'postmaster gone');
	assert.equal(existsSync(dir), false);
});

test('the sweep leaves the drills of living processes alone', async () => {
	const {child, dir, pid, exit} = await holdServer();
	try {
		assert.ok(!(await sweepLeftovers()).includes(dir));
		assert.ok(existsSync(dir) && alive(pid));
	} finally {
		child.kill('SIGTERM');
		await exit;
	}
});

test('a port taken between asking for it and the bind: the server starts on another; every port taken: one line saying so', async () => {
	// Another process's listener on the port the first ask hands out.
	const busy = createServer();
	await new Promise<void>(resolve => busy.listen(0, '127.0.0.1', resolve));
	const taken = (busy.address() as AddressInfo).port;
	try {
		const asked: number[] = [];
		const server = await startEmbeddedPostgres({nextPort: async () => (asked.push(asked.length === 0 ? taken : await freePort()), asked.at(-1)!)});
		try {
			assert.equal(asked.length, 2, 'asked again once');
			assert.equal(server.port, asked[1]);
			const client = new pg.Client({connectionString: server.url('postgres')});
			await client.connect();
			assert.equal((await client.query('SELECT 1 AS one')).rows[0].one, 1);
			await client.end();
		} finally {
			await server.dispose();
		}
		await assert.rejects(startEmbeddedPostgres({nextPort: async () => taken}), {
			message: /^the embedded PostgreSQL did not start: could not bind IPv4 address "127\.0\.0\.1": Address already in use$/,
		});
	} finally {
		busy.close();
	}
});
