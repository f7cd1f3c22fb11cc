import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {existsSync, readFileSync, statSync} from 'node:fs';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {startTestServer, type TestServer} from '../support/pg.ts';
import {testRunbook} from './frames.ts';
import {bin, tmuxOn, tmuxSkip} from './tmux-support.ts';

/* The built bin in a real 80×24 tmux pane: what an operator over SSH gets. */

const skip = tmuxSkip;

let server: TestServer;
let dir: string;
let socket: string;
before(async () => {
	if (skip) return;
	server = await startTestServer();
	dir = await mkdtemp(path.join(os.tmpdir(), 'pg500-tmux-'));
	socket = path.join(dir, 'tmux.sock');
	const on = tmuxOn(socket);
	({tmux, waitForPane} = on);
	on.keep();
});
after(async () => {
	if (skip) return;
	spawnSync('tmux', ['-S', socket, 'kill-server']);
	await server.stop();
	await rm(dir, {recursive: true, force: true});
});

let tmux: ReturnType<typeof tmuxOn>['tmux'];
let waitForPane: ReturnType<typeof tmuxOn>['waitForPane'];

/** A shell in an 80×24 pane, with the faulty database's URL in the environment (never on the screen). */
async function pane(name: string, db: string): Promise<string> {
	const runbook = path.join(dir, 'runbook.yaml');
	await writeFile(runbook, testRunbook);
	tmux('new-session', '-d', '-s', name, '-x', '80', '-y', '24', '-e', `DATABASE_URL=${server.url(db)}`, '-e', 'LANG=C.UTF-8', '-e', `XDG_STATE_HOME=${dir}`, 'sh');
	tmux('send-keys', '-t', name, `PS1='ready$ '; clear`, 'Enter');
	await waitForPane(name, s => s.includes('ready$'), 'the shell');
	return runbook;
}

async function leakyDatabase() {
	const db = await server.createDatabase();
	const leak = await server.connect(db);
	await leak.query('begin');
	await leak.query('select 1');
	return db;
}

function assertSaneTerminal(name: string) {
	tmux('send-keys', '-t', name, 'clear; stty -a | tr " " "\\n" | grep -E "^-?(echo|icanon)$"', 'Enter');
}

test('over tmux at 80×24: to the fix, export, quit; the terminal is sane after q and after Ctrl-C', {skip}, async t => {
	const db = await leakyDatabase();
	const name = 'guided';
	const runbook = await pane(name, db);
	const journal = path.join(dir, 'session.jsonl');
	tmux('pipe-pane', '-t', name, '-o', `cat >> ${path.join(dir, 'bytes.log')}`);
	const t0 = performance.now();
	tmux('send-keys', '-t', name, `node ${bin} --runbook ${runbook} --journal ${journal}`, 'Enter');
	await waitForPane(name, s => s.includes('Enter run next: connect'), 'the first frame');
	t.diagnostic(`start to first frame: ${Math.round(performance.now() - t0)} ms`);

	const log = path.join(dir, 'bytes.log');
	const bytes = () => statSync(log).size;
	// tmux copies the pane's output to the log through a pipe and a cat that a busy machine may not have run yet:
	// the idle window opens once the whole first frame is in the log (its footer, then no more bytes for 0.5 s).
	let last = -1;
	let stableSince = performance.now();
	const deadline = performance.now() + 20_000;
	while (!(bytes() === last && performance.now() - stableSince >= 500 && readFileSync(log, 'latin1').includes('run next: connect'))) {
		if (bytes() !== last) [last, stableSince] = [bytes(), performance.now()];
		assert.ok(performance.now() < deadline, 'the first frame reaches the pane log');
		await new Promise(resolve => setTimeout(resolve, 50));
	}
	const idleFrom = bytes();
	await new Promise(resolve => setTimeout(resolve, 10_000));
	const idleBytes = bytes() - idleFrom;
	t.diagnostic(`bytes written while idle for 10 s: ${idleBytes}`);
	assert.equal(idleBytes, 0, 'nothing redraws when nothing changes');

	tmux('send-keys', '-t', name, 'Enter');
	await waitForPane(name, s => s.includes('nothing anomalous'), 'connect done');
	tmux('send-keys', '-t', name, 'Enter');
	let screen = await waitForPane(name, s => s.includes('⚠ backend'), 'the anomaly');
	assert.ok(!screen.includes('test-secret-pw'));
	for (const line of screen.split('\n')) assert.ok([...line].length <= 80, line);
	tmux('send-keys', '-t', name, 'Enter');
	await waitForPane(name, s => s.includes('press t when done'), 'the manual step');
	tmux('send-keys', '-t', name, 'Enter');
	await waitForPane(name, s => s.includes('Choose the fix'), 'the causes');
	tmux('send-keys', '-t', name, 'Enter');
	await waitForPane(name, s => s.includes('Fix: End the leaked') && /│ idle +1\n/.test(s), 'the fix and its follow-up');
	tmux('send-keys', '-t', name, 'e');
	screen = await waitForPane(name, s => s.includes('Report written') && s.includes('For the incident channel:'), 'the export and its summary');
	const report = journal.replace(/\.jsonl$/, '.md');
	assert.match(readFileSync(report, 'utf8'), /idle in transaction/);
	for (const line of screen.split('\n')) assert.ok([...line].length <= 80, line);
	// y puts the summary on the clipboard through the terminal: tmux with set-clipboard on takes OSC 52 into its buffer.
	tmux('set-option', '-g', 'set-clipboard', 'on');
	tmux('send-keys', '-t', name, 'y');
	await waitForPane(name, s => s.includes('Summary sent to the clipboard'), 'the copy said');
	const copied = tmux('show-buffer').trimEnd().split('\n');
	assert.ok(copied.length >= 2 && copied.length <= 6, copied.join('\n'));
	assert.match(copied[0]!, /^WARNING \(run not finished\): A transaction left open/);
	assert.equal(copied.at(-1), `Full report: ${os.hostname()}:${report}`);
	assert.equal(readFileSync(report, 'utf8').split('\n').slice(3, 3 + copied.length).join('\n'), copied.join('\n'), 'the lines that open the report');
	tmux('send-keys', '-t', name, 'q');
	screen = await waitForPane(name, s => s.includes('ready$') && s.includes(`journal: ${journal}`), 'the prompt back after q');
	t.diagnostic(`bytes written during the whole guided run: ${bytes()}`);
	assertSaneTerminal(name);
	screen = await waitForPane(name, s => /^echo$/m.test(s) && /^icanon$/m.test(s), 'echo and icanon on after q');

	// Ctrl-C in the middle: journal kept, partial report written, terminal sane.
	const second = path.join(dir, 'second.jsonl');
	tmux('send-keys', '-t', name, 'clear', 'Enter');
	tmux('send-keys', '-t', name, `node ${bin} --runbook ${runbook} --journal ${second}`, 'Enter');
	await waitForPane(name, s => s.includes('Enter run next: connect'), 'the second session');
	tmux('send-keys', '-t', name, 'Enter');
	await waitForPane(name, s => s.includes('nothing anomalous'), 'connect done');
	tmux('send-keys', '-t', name, 'C-c');
	screen = await waitForPane(name, s => s.includes('partial report:') && s.includes('ready$'), 'the prompt back after Ctrl-C');
	assert.ok(screen.includes(`journal: ${second}`));
	assert.ok(existsSync(second.replace(/\.jsonl$/, '.md')));
	assertSaneTerminal(name);
	await waitForPane(name, s => /^echo$/m.test(s) && /^icanon$/m.test(s), 'echo and icanon on after Ctrl-C');
});

test('resume over tmux: the process killed mid-session, `pg500 resume` shows the finished steps and the note, and goes on', {skip}, async () => {
	const db = await leakyDatabase();
	const runbook = path.join(dir, 'runbook.yaml');
	await writeFile(runbook, testRunbook);
	const journal = path.join(dir, 'killed.jsonl');
	// The bin is the pane's own process (exec), so its pid is the pane's.
	const session = (name: string, command: string) =>
		tmux('new-session', '-d', '-s', name, '-x', '80', '-y', '24', '-e', `DATABASE_URL=${server.url(db)}`, '-e', 'LANG=C.UTF-8', '-e', `XDG_STATE_HOME=${dir}`, `exec node ${bin} ${command}`);

	session('first', `--runbook ${runbook} --journal ${journal}`);
	await waitForPane('first', s => s.includes('Enter run next: connect'), 'the first frame');
	tmux('send-keys', '-t', 'first', 'Enter');
	await waitForPane('first', s => s.includes('nothing anomalous'), 'connect done');
	tmux('send-keys', '-t', 'first', 'Enter');
	await waitForPane('first', s => s.includes('⚠ backend'), 'idle-tx done');
	tmux('send-keys', '-t', 'first', 'n');
	await waitForPane('first', s => s.includes('Note on idle-tx:'), 'the note input');
	tmux('send-keys', '-t', 'first', '-l', 'leak seen from the bastion');
	await waitForPane('first', s => s.includes('leak seen from the bastion'), 'the typed note');
	tmux('send-keys', '-t', 'first', 'Enter');
	await waitForPane('first', s => s.includes('Note: leak seen from the bastion'), 'the saved note');

	// The link drops the hard way: no signal handler runs, no report, no goodbye.
	const pid = Number(tmux('display-message', '-p', '-t', 'first', '#{pane_pid}').trim());
	assert.match(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), /pg500\.mjs/, 'the pane runs the bin itself');
	process.kill(pid, 'SIGKILL');
	for (let i = 0; i < 200 && spawnSync('tmux', ['-S', socket, 'has-session', '-t', 'first']).status === 0; i++) await new Promise(resolve => setTimeout(resolve, 25));
	assert.ok(!existsSync(journal.replace(/\.jsonl$/, '.md')), 'killed: no partial report was written');

	session('second', `resume ${journal}`);
	let screen = await waitForPane('second', s => s.includes('Note: leak seen from the bastion'), 'the resumed session with the note');
	assert.match(screen, /✔ 1 Connect to the/);
	assert.match(screen, /⚠ 2 Sessions idle in a/);
	assert.match(screen, /⚠ backend \d+ idle in transaction/, 'the finished step’s findings, as they were');
	assert.match(screen, /Enter run next: next-steps/);
	tmux('send-keys', '-t', 'second', 'Enter');
	screen = await waitForPane('second', s => s.includes('press t when done'), 'the session goes on');
	tmux('send-keys', '-t', 'second', 'q');
	await waitForPane('second', s => s.includes('Notes are not in a report yet'), 'the question: the note is not in a report');
	tmux('send-keys', '-t', 'second', 'q');
	for (let i = 0; i < 200 && spawnSync('tmux', ['-S', socket, 'has-session', '-t', 'second']).status === 0; i++) await new Promise(resolve => setTimeout(resolve, 25));

	const events = readFileSync(journal, 'utf8').trim().split('\n').slice(1).map(l => JSON.parse(l) as {type: string; stepId?: string; text?: string});
	const started = (id: string) => events.filter(e => e.type === 'step-started' && e.stepId === id).length;
	assert.equal(started('connect'), 1, 'finished steps are not run again');
	assert.equal(started('idle-tx'), 1);
	assert.equal(started('next-steps'), 1, 'the resumed session appended to the same journal');
	assert.deepEqual(events.filter(e => e.type === 'note-set').map(e => [e.stepId, e.text]), [['idle-tx', 'leak seen from the bastion']]);
});

test('demo --quiz over tmux: the real command asks for the cause and reveals the drill only then', {skip}, async () => {
	const {scenarios} = await import('../../source/drill/scenarios.ts');
	tmux('new-session', '-d', '-s', 'quiz', '-x', '80', '-y', '24', '-e', 'LANG=C.UTF-8', '-e', `XDG_STATE_HOME=${dir}`, `exec node ${bin} demo --quiz`);
	let screen = await waitForPane('quiz', s => s.includes('Enter run next: server-logs'), 'the first frame', 60_000);
	assert.match(screen, /^pg500 quiz · /);
	for (const s of scenarios) assert.ok(!screen.includes(s.summary.slice(0, 30)), `the drill shows: ${s.id}`);
	tmux('send-keys', '-t', 'quiz', 'a');
	screen = await waitForPane('quiz', s => s.includes('What is the cause?'), 'the question');
	assert.match(screen, /▸ connection pool or client slots exhausted/);
	tmux('send-keys', '-t', 'quiz', 'Enter');
	screen = await waitForPane('quiz', s => s.includes('The drill was'), 'the reveal');
	assert.match(screen, /Quiz: answered "connection pool or client slots/);
	const id = /The drill was ([\w-]+)/.exec(screen)![1];
	assert.ok(scenarios.some(s => s.id === id), `a real scenario: ${id}`);
	tmux('send-keys', '-t', 'quiz', 'q');
	await waitForPane('quiz', s => s.includes('Notes are not in a report yet'), 'the question before quitting: the reveal is a note');
	tmux('send-keys', '-t', 'quiz', 'q');
	for (let i = 0; i < 400 && spawnSync('tmux', ['-S', socket, 'has-session', '-t', 'quiz']).status === 0; i++) await new Promise(resolve => setTimeout(resolve, 25));
	assert.notEqual(spawnSync('tmux', ['-S', socket, 'has-session', '-t', 'quiz']).status, 0, 'the demo ended');
});
