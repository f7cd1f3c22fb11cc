import {test} from 'node:test';
import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {readdir, readFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {scenarios} from '../../source/drill/scenarios.ts';
import {drillDirPrefix, ownerFile} from '../../source/drill/sweep.ts';

/* `pg500 demo` as the user runs it: the real CLI in a child process. */

const root = path.resolve(import.meta.dirname, '../..');

function cli(args: string[]): Promise<{code: number; stdout: string; stderr: string; pid: number}> {
	return new Promise(resolve => {
		const child = execFile(
			process.execPath,
			['--import', 'tsx', path.join(root, 'cli.tsx'), ...args],
			{cwd: root, env: {PATH: process.env.PATH, HOME: os.tmpdir()}},
			(error, stdout, stderr) => resolve({code: error ? Number(error.code) : 0, stdout, stderr, pid: child.pid!}),
		);
	});
}

test('--list: one line per scenario, its id first', async () => {
	const {code, stdout} = await cli(['demo', '--list']);
	assert.equal(code, 0);
	const lines = stdout.trimEnd().split('\n');
	assert.deepEqual(lines.map(l => l.split(/\s+/)[0]), scenarios.map(s => s.id));
});

test('an unknown scenario: one line naming the valid ones, exit 3', async () => {
	const {code, stdout, stderr} = await cli(['demo', 'disk-full']);
	assert.equal(code, 3);
	assert.equal(stdout, '');
	assert.equal(stderr, `pg500: unknown scenario "disk-full"; choose one of: ${scenarios.map(s => s.id).join(', ')}\n`);
});

test("--quiz has no headless form, and a target of one's own does not apply", async () => {
	for (const args of [['demo', '--quiz', '--headless'], ['demo', 'healthy', '--url', 'postgres://x@h/db']]) {
		const {code, stderr} = await cli(args);
		assert.equal(code, 3, args.join(' '));
		assert.equal(stderr.split('\n').length, 2, stderr);
	}
});

async function ownedBy(pid: number): Promise<string[]> {
	const dirs = (await readdir(os.tmpdir())).filter(n => n.startsWith(drillDirPrefix));
	const owners = await Promise.all(dirs.map(d => readFile(path.join(os.tmpdir(), d, ownerFile), 'utf8').catch(() => '')));
	return dirs.filter((_, i) => Number(owners[i]) === pid);
}

test('--headless: progress on stderr, the report on stdout, the verdict as exit code, nothing left behind', async () => {
	const {code, stdout, stderr, pid} = await cli(['demo', 'server-down', '--headless', '--format', 'json']);
	assert.equal(code, 2, stderr);
	const report = JSON.parse(stdout) as {causes: {id: string}[]; target: {user: string}};
	assert.equal(report.causes[0]!.id, 'connection-failure');
	assert.equal(report.target.user, 'oncall');
	assert.match(stderr, /^Starting an embedded PostgreSQL… \d+\.\d s\nInjecting the fault \(server-down\)… \d+\.\d s\n$/);
	assert.deepEqual(await ownedBy(pid), []);
});
