import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {craftedJournal} from '../journal/crafted.ts';
import {testRunbook} from './frames.ts';
import {bin, tmuxOn, tmuxSkip} from './tmux-support.ts';

/* Issue 14, items 4 and 6, and `q` before the end, in real terminals with
 * the built bin: a journal's target is only a suggestion the operator
 * confirms; its output path is never used; its escape sequences never reach
 * the terminal; a second `resume` of a journal in use says who holds it and
 * shows the session read-only instead; quitting early exits with the partial
 * report's verdict. */

const skip = tmuxSkip;
let dir: string;
let socket: string;
let tmux: ReturnType<typeof tmuxOn>['tmux'];
let alive: ReturnType<typeof tmuxOn>['alive'];
let waitForPane: ReturnType<typeof tmuxOn>['waitForPane'];

before(() => {
	if (skip) return;
	dir = mkdtempSync(path.join(os.tmpdir(), 'pg500-guard-'));
	socket = path.join(dir, 'tmux.sock');
	({tmux, alive, waitForPane} = tmuxOn(socket));
	writeFileSync(path.join(dir, 'runbook.yaml'), testRunbook);
});
after(() => {
	if (skip) return;
	spawnSync('tmux', ['-S', socket, 'kill-server']);
	rmSync(dir, {recursive: true, force: true});
});

/** The bin in a pane of its own, no target in its environment; its exit code lands in `name.code`. */
function start(name: string, args: string, env: Record<string, string> = {}): string {
	const codeFile = path.join(dir, `${name}.code`);
	const vars = Object.entries({LANG: 'C.UTF-8', XDG_STATE_HOME: dir, ...env}).map(([k, v]) => `${k}='${v}'`).join(' ');
	tmux('new-session', '-d', '-s', name, '-x', '80', '-y', '24', `env -u DATABASE_URL -u PGHOST -u PGPORT -u PGDATABASE ${vars} node ${bin} ${args}; echo $? > ${codeFile}; sleep 600`);
	return codeFile;
}

async function exitCode(codeFile: string): Promise<number> {
	for (let i = 0; i < 800 && !existsSync(codeFile); i++) await new Promise(resolve => setTimeout(resolve, 25));
	return Number(readFileSync(codeFile, 'utf8').trim());
}

test('resume shows the journal\'s target and connects only when told; never writes where the journal says', {skip}, async () => {
	let connections = 0;
	const listener = net.createServer(socket => {
		connections++;
		socket.destroy();
	});
	await new Promise<void>(resolve => listener.listen(0, '127.0.0.1', resolve));
	const port = (listener.address() as net.AddressInfo).port;
	const foreignOutput = path.join(dir, 'foreign-report.md');
	try {
		const journal = craftedJournal(dir, {url: `postgres://evil@127.0.0.1:${port}/kv?sslmode=disable`, output: foreignOutput});

		const declined = start('declined', `resume ${journal}`);
		await waitForPane('declined', s => s.replace(/\n/g, '').includes(`The journal names postgres://evil@127.0.0.1:${port}/kv?sslmode=disable. Connect to it? [y/N]`), 'the question');
		tmux('send-keys', '-t', 'declined', 'n', 'Enter');
		assert.equal(await exitCode(declined), 3);
		await waitForPane('declined', s => s.replace(/\n/g, '').includes('nothing was resumed; give the target with --url'), 'why nothing happened');
		assert.equal(connections, 0, 'no connection without a yes');

		const agreed = start('agreed', `resume ${journal}`);
		await waitForPane('agreed', s => s.includes('Connect to it? [y/N]'), 'the question');
		tmux('send-keys', '-t', 'agreed', 'y', 'Enter');
		await waitForPane('agreed', s => s.includes('Enter'), 'the guided session');
		assert.notEqual(tmux('display-message', '-p', '-t', 'agreed', '#{pane_title}').trim(), 'pwned', 'the journal did not retitle the terminal');
		tmux('send-keys', '-t', 'agreed', 'r');
		for (let i = 0; i < 400 && connections === 0; i++) await new Promise(resolve => setTimeout(resolve, 25));
		assert.ok(connections > 0, 'connected to the target the operator confirmed');
		tmux('send-keys', '-t', 'agreed', 'C-c');
		assert.equal(await exitCode(agreed), 130);
		assert.equal(existsSync(foreignOutput), false, "the journal's output path was not used");
		assert.ok(existsSync(journal.replace(/\.jsonl$/, '.md')), 'the partial report went beside the journal');
	} finally {
		listener.close();
	}
});

test('a second resume of a journal in use says who holds it and shows it read-only; q before the end exits with the partial verdict', {skip}, async () => {
	const journal = path.join(dir, 'shared.jsonl');
	const unreachable = 'postgres://app@127.0.0.1:1/kv?sslmode=disable';
	const first = start('first', `--runbook ${path.join(dir, 'runbook.yaml')} --journal ${journal}`, {DATABASE_URL: unreachable});
	await waitForPane('first', s => s.includes('Enter run next: connect'), 'the first session');
	const holder = JSON.parse(readFileSync(`${journal}.lock`, 'utf8')) as {pid: number; since: string};

	const second = start('second', `resume ${journal}`, {DATABASE_URL: unreachable});
	await waitForPane('second', s => s.replace(/\n/g, '').includes(`in use by pg500 pid ${holder.pid} on ${os.hostname()} since ${holder.since}`), 'who holds it');
	await waitForPane('second', s => s.includes('show the session read-only instead'), 'the offer');
	tmux('send-keys', '-t', 'second', 'y', 'Enter');
	await waitForPane('second', s => s.includes('Tell the team') && s.includes('not run yet'), 'the report, read-only');
	assert.equal(await exitCode(second), 3);
	assert.ok(alive('first'));

	// Nothing was run yet: the partial report says unknown, and so does the exit code (3), not ok (0).
	tmux('send-keys', '-t', 'first', 'q');
	assert.equal(await exitCode(first), 3);
	assert.equal(existsSync(`${journal}.lock`), false, 'the lock is released at the end');
});
