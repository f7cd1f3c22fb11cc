import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {execFileSync, spawnSync} from 'node:child_process';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {startTestServer, type TestServer} from '../support/pg.ts';
import {testRunbook} from './frames.ts';
import {bin, tmuxOn, tmuxSkip} from './tmux-support.ts';

/* Issue 7's promise, end to end with the built bin in real terminals: an SSH
 * link that drops (SIGHUP) or a `kill -9` in the middle of a guided session,
 * then `pg500 resume`, ends with the same report as a session that was
 * never interrupted — timestamps and durations aside, and what only the
 * interruption adds: its ending and the resumption in the timeline, and
 * (after a hang-up) the partial report written then. */

const skip = tmuxSkip;

let server: TestServer;
let dir: string;
let socket: string;
let db: string;
before(async () => {
	if (skip) return;
	server = await startTestServer();
	dir = await mkdtemp(path.join(os.tmpdir(), 'pg500-resume-'));
	socket = path.join(dir, 'tmux.sock');
	const on = tmuxOn(socket);
	({tmux, alive, waitForPane} = on);
	on.keep();
	await writeFile(path.join(dir, 'runbook.yaml'), testRunbook);
	// The same fault for every session: one transaction left open by "leaky".
	db = await server.createDatabase();
	const leak = await server.connect(db);
	await leak.query("SET application_name = 'leaky'; BEGIN; SELECT 1");
});
after(async () => {
	if (skip) return;
	spawnSync('tmux', ['-S', socket, 'kill-server']);
	await server.stop();
	await rm(dir, {recursive: true, force: true});
});

let tmux: ReturnType<typeof tmuxOn>['tmux'];
let alive: ReturnType<typeof tmuxOn>['alive'];
let waitForPane: ReturnType<typeof tmuxOn>['waitForPane'];

async function waitGone(name: string): Promise<void> {
	for (let i = 0; i < 800 && alive(name); i++) await new Promise(resolve => setTimeout(resolve, 25));
	assert.ok(!alive(name), `${name} ended`);
}

/** Until process `pid` has exited (a zombie not yet reaped by tmux counts as exited). */
async function processGone(pid: number): Promise<void> {
	const running = () => {
		try {
			return !/^[ZX]/.test(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').at(-1)!);
		} catch {
			return false;
		}
	};
	for (let i = 0; i < 800 && running(); i++) await new Promise(resolve => setTimeout(resolve, 25));
	assert.ok(!running(), `pid ${pid} ended`);
}

/** The bin as the pane's own process (exec), at 80×24, as over SSH. */
function start(name: string, args: string): void {
	tmux('new-session', '-d', '-s', name, '-x', '80', '-y', '24', '-e', `DATABASE_URL=${server.url(db)}`, '-e', 'LANG=C.UTF-8', '-e', `XDG_STATE_HOME=${dir}`, `exec node ${bin} ${args}`);
}

/** Each key and the screen that shows it was taken: the whole guided walk of the test runbook. */
const walk: [key: string, shown: (screen: string) => boolean, what: string][] = [
	['Enter', s => s.includes('Enter run next: idle-tx'), 'connect done'],
	['Enter', s => s.includes('⚠ backend'), 'idle-tx done'],
	['n', s => s.includes('Note on idle-tx:'), 'the note input'],
	['-l leak seen from the bastion', s => s.includes('leak seen from the bastion'), 'the typed note'],
	['Enter', s => s.includes('Note: leak seen from the bastion'), 'the saved note'],
	['Enter', s => s.includes('press t when done'), 'the manual step'],
	['t', s => s.includes('☑ 3'), 'ticked off'],
	['Enter', s => s.includes('Choose the fix'), 'the causes'],
	['Enter', s => s.includes('Enter finish'), 'the fix and its follow-up'],
	['Enter', s => s.includes('Runbook complete'), 'the end'],
];

async function press(name: string, from: number, to: number): Promise<void> {
	for (const [key, shown, what] of walk.slice(from, to)) {
		if (key.startsWith('-l ')) tmux('send-keys', '-t', name, '-l', key.slice(3));
		else tmux('send-keys', '-t', name, key);
		await waitForPane(name, shown, what, 60_000);
	}
}

/** `q`; when the note is in no report yet (no partial report was written), pg500 asks first. */
async function quit(name: string, asks: boolean): Promise<void> {
	tmux('send-keys', '-t', name, 'q');
	if (asks) {
		await waitForPane(name, s => s.includes('Notes are not in a report yet'), 'the question before quitting', 60_000);
		tmux('send-keys', '-t', name, 'q');
	}
	await waitGone(name);
}

interface Report {
	steps: Record<string, unknown>[];
	timeline: {at: string; event: string}[];
	exports: {path: string; format: string}[];
	[key: string]: unknown;
}

/** What an interruption adds to a report: the timeline's ending and resumption, the partial report's export. */
function interruption(report: Report): {timeline: string[]; exports: string[]} {
	return {
		timeline: report.timeline.map(t => t.event).filter(e => /^session (ended|resumed)/.test(e) || (/^report exported/.test(e) && /partial|\.md/.test(e))),
		exports: report.exports.map(e => e.format),
	};
}

function withoutInterruption(report: Report): Report {
	const {timeline, exports: _exports, ...rest} = report;
	return {...rest, exports: [], timeline: timeline.filter(t => !/^session (ended|resumed)/.test(t.event) && !/^report exported/.test(t.event))};
}

/** The JSON report of a journal, with what differs between any two runs taken out: times, durations, ages, pg500's backend pid. */
function finalReport(journal: string): Report {
	const report = JSON.parse(execFileSync(process.execPath, [bin, 'report', journal, '--format', 'json'], {encoding: 'utf8'})) as Report;
	const strip = (value: unknown): unknown => {
		if (Array.isArray(value)) return value.map(strip);
		if (value && typeof value === 'object')
			return Object.fromEntries(
				Object.entries(value)
					.filter(([key]) => !['at', 'startedAt', 'finishedAt', 'durationMs', 'idle_s', 'backend_pid'].includes(key))
					.map(([key, v]) => [key, strip(v)]),
			);
		return typeof value === 'string' ? value.replace(/in \d+ ms/g, 'in N ms') : value;
	};
	return strip(report) as Report;
}

async function uninterrupted(): Promise<Report> {
	const journal = path.join(dir, 'whole.jsonl');
	start('whole', `--runbook ${path.join(dir, 'runbook.yaml')} --journal ${journal}`);
	await waitForPane('whole', s => s.includes('Enter run next: connect'), 'the first frame');
	await press('whole', 0, walk.length);
	await quit('whole', true);
	return finalReport(journal);
}

async function interrupted(how: 'SIGKILL' | 'SIGHUP'): Promise<Report> {
	const journal = path.join(dir, `${how}.jsonl`);
	const first = `${how}-first`;
	start(first, `--runbook ${path.join(dir, 'runbook.yaml')} --journal ${journal}`);
	await waitForPane(first, s => s.includes('Enter run next: connect'), 'the first frame');
	// Halfway: two checks run, a note saved, the manual step not reached.
	await press(first, 0, 5);
	const pid = Number(tmux('display-message', '-p', '-t', first, '#{pane_pid}').trim());
	if (how === 'SIGKILL') process.kill(pid, 'SIGKILL');
	else tmux('kill-session', '-t', first); // tmux hangs up on the pane's process: a dropped SSH link
	await waitGone(first);
	// After a hang-up the old pg500 still flushes and exits; until it has, it holds the journal (resume would say so).
	await processGone(pid);

	const second = `${how}-second`;
	start(second, `resume ${journal}`);
	await waitForPane(second, s => s.includes('Note: leak seen from the bastion') && s.includes('Enter run next: next-steps'), 'the resumed session');
	await press(second, 5, walk.length);
	// After a hang-up the partial report holds the note.
	await quit(second, how === 'SIGKILL');
	return finalReport(journal);
}

test('kill -9 or a hang-up halfway, then resume: the same final report as a session never interrupted', {skip}, async () => {
	const whole = await uninterrupted();
	assert.equal(whole.verdict, 'warning');
	assert.ok(whole.steps.some(s => s['note'] === 'leak seen from the bastion'));
	assert.deepEqual(interruption(whole), {timeline: ['session ended: quit (q)'], exports: []});

	const killed = await interrupted('SIGKILL');
	assert.deepEqual(withoutInterruption(killed), withoutInterruption(whole));
	assert.equal(interruption(killed).timeline.length, 2);
	assert.match(interruption(killed).timeline[0]!, /^session resumed after \d.*; it had ended: stopped without a clean ending \(killed or crashed\)$/);
	assert.equal(interruption(killed).timeline[1], 'session ended: quit (q)');
	assert.deepEqual(interruption(killed).exports, [], 'killed: no partial report');

	const hungUp = await interrupted('SIGHUP');
	assert.deepEqual(withoutInterruption(hungUp), withoutInterruption(whole));
	const [ended, exported, resumed, quit] = interruption(hungUp).timeline;
	assert.match(ended!, /^session ended: hang-up \(SIGHUP\)/);
	assert.match(exported!, /^report exported as markdown to .*SIGHUP\.md$/, 'the partial report, journaled at the hang-up');
	assert.match(resumed!, /^session resumed after .*; it had ended: hang-up \(SIGHUP\)/);
	assert.equal(quit, 'session ended: quit (q)');
	assert.deepEqual(interruption(hungUp).exports, ['markdown']);
});
