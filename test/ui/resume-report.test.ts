import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {execFileSync, spawnSync} from 'node:child_process';
import {chmod, mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import {readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {startTestServer, type TestServer} from '../support/pg.ts';
import {testRunbook} from './frames.ts';
import {bin, tmuxOn, tmuxSkip} from './tmux-support.ts';

/* Issue 7's promise, end to end with the built bin in real terminals: an SSH
 * link that drops (SIGHUP) or a `kill -9` in the middle of a guided session,
 * then `pg500 resume`, ends with the same report as a session that was
 * never interrupted — timestamps and durations aside, and the story of the
 * session itself (who ran each part, where it broke off): that one differs,
 * and the report tells it. The resume may be another person on another host. */

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
	({tmux, alive, waitForPane} = tmuxOn(socket));
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

/**
 * q, and q again when pg500 asks (notes not in a report yet). A session
 * resumed after a hang-up has its notes in the partial report written on the
 * way out, so it quits at once.
 */
async function quit(name: string): Promise<void> {
	tmux('send-keys', '-t', name, 'q');
	let asked = false;
	for (let i = 0; i < 2400 && alive(name) && !asked; i++) {
		try {
			asked = tmux('capture-pane', '-p', '-t', name).includes('Notes are not in a report yet');
		} catch {
			break; // gone between the two looks
		}
		if (!asked) await new Promise(resolve => setTimeout(resolve, 25));
	}
	if (asked) tmux('send-keys', '-t', name, 'q');
	await waitGone(name);
}

interface Report {
	steps: Record<string, unknown>[];
	[key: string]: unknown;
}

interface Story {
	exports: {format: string; path: string}[];
	sessions: {operator: string; endedBy: string | null; gapMs: number | null; interruptedStep: string | null}[];
	timeline: {kind: string; event: string; operator: string | null}[];
}

/** The session's own story in a journal's report: who ran each part, where it broke off. */
function story(journal: string): Story {
	return JSON.parse(execFileSync(process.execPath, [bin, 'report', journal, '--format', 'json'], {encoding: 'utf8'})) as Story;
}

/**
 * The JSON report of a journal, with what differs between any two runs taken
 * out: times, durations, ages, pg500's backend pid — and the session's story
 * (its parts, the timeline, the summary's dates, the partial report written
 * on a hang-up), which story() looks at.
 */
function finalReport(journal: string): Report {
	const {sessions: _sessions, timeline: _timeline, summary: _summary, exports: _exports, ...report} = JSON.parse(execFileSync(process.execPath, [bin, 'report', journal, '--format', 'json'], {encoding: 'utf8'})) as Report;
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
	await quit('whole');
	return finalReport(journal);
}

/** Another person on another host: a user of its own (`runuser`) in a UTS namespace of its own (its own host name). */
const elsewhere = {user: 'nobody', host: 'bastion-2'};
const elsewhereSkip = skip || (process.getuid?.() !== 0 ? 'needs root (runuser, unshare)' : spawnSync('sh', ['-c', 'command -v unshare && command -v runuser']).status !== 0 ? 'no unshare or runuser' : false);

async function interrupted(how: 'SIGKILL' | 'SIGHUP', resumeBy?: typeof elsewhere): Promise<Report> {
	const journal = path.join(dir, resumeBy ? 'handover' : '', `${how}.jsonl`);
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
	if (resumeBy) {
		// Bob takes over Alice's journal (as sudo would hand it to him) and resumes it from his own machine.
		execFileSync('chown', ['-R', resumeBy.user, path.dirname(journal)]);
		tmux(
			'new-session', '-d', '-s', second, '-x', '80', '-y', '24', '-e', `DATABASE_URL=${server.url(db)}`, '-e', 'LANG=C.UTF-8', '-e', `HOME=${path.dirname(journal)}`,
			`exec unshare --uts sh -c 'hostname ${resumeBy.host} && exec runuser -u ${resumeBy.user} -- node ${bin} resume ${journal}'`,
		);
	} else start(second, `resume ${journal}`);
	await waitForPane(second, s => s.includes('Note: leak seen from the bastion') && s.includes('Enter run next: next-steps'), 'the resumed session');
	await press(second, 5, walk.length);
	await quit(second);
	return finalReport(journal);
}

/** The session never interrupted, walked once for every test that compares with it. */
let whole: Promise<Report> | undefined;
const uninterruptedOnce = () => (whole ??= uninterrupted());

test('kill -9 or a hang-up halfway, then resume: the same final report as a session never interrupted, and where it broke off', {skip}, async () => {
	const whole = await uninterruptedOnce();
	assert.equal(whole.verdict, 'warning');
	assert.ok(whole.steps.some(s => s['note'] === 'leak seen from the bastion'));
	assert.deepEqual(await interrupted('SIGKILL'), whole);
	assert.deepEqual(await interrupted('SIGHUP'), whole);

	const me = `${os.userInfo().username}@${os.hostname()}`;
	const killed = story(path.join(dir, 'SIGKILL.jsonl'));
	assert.deepEqual(killed.sessions.map(s => [s.operator, s.endedBy]), [[me, null], [me, 'quit']], 'kill -9 leaves no word; the resumed part ends with q');
	assert.ok(killed.timeline.some(e => e.kind === 'session' && e.event === 'session ended: stopped without a clean ending (killed or crashed)'));
	const hungUp = story(path.join(dir, 'SIGHUP.jsonl'));
	assert.deepEqual(hungUp.sessions.map(s => s.endedBy), ['SIGHUP', 'quit'], 'the hang-up is journaled on the way out');
	assert.ok(hungUp.sessions[1]!.gapMs! >= 0);
	assert.ok(hungUp.timeline.some(e => e.event.startsWith('session ended: hang-up (SIGHUP)')));
	assert.deepEqual(hungUp.exports.map(e => e.path), [path.join(dir, 'SIGHUP.md')], 'the partial report written on the way out');
	assert.deepEqual(killed.exports, [], 'kill -9 writes nothing');
	assert.deepEqual(story(path.join(dir, 'whole.jsonl')).sessions.map(s => s.operator), [me]);
});

test('a hang-up, then another person resumes on another host: the same findings, and the report names both', {skip: elsewhereSkip}, async () => {
	const whole = await uninterruptedOnce();
	await mkdir(path.join(dir, 'handover'), {recursive: true});
	// The other person may pass through the test's directory to the journal handed to them, no further.
	await chmod(dir, 0o711);
	assert.deepEqual(await interrupted('SIGHUP', elsewhere), whole);
	const {sessions, timeline} = story(path.join(dir, 'handover', 'SIGHUP.jsonl'));
	assert.deepEqual(sessions.map(s => s.operator), [`${os.userInfo().username}@${os.hostname()}`, `${elsewhere.user}@${elsewhere.host}`]);
	assert.ok(timeline.some(e => e.kind === 'session' && e.event.startsWith(`session resumed by ${elsewhere.user}@${elsewhere.host} after `)));
	// What the second person did is theirs: the tick and the choice of fix were made after the resume.
	assert.equal(timeline.find(e => e.kind === 'manual')!.operator, `${elsewhere.user}@${elsewhere.host}`);
	assert.equal(timeline.find(e => e.kind === 'note')!.operator, `${os.userInfo().username}@${os.hostname()}`);
});
