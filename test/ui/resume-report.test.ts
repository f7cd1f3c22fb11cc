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
 * never interrupted — timestamps and durations aside, and what only the
 * interruption adds: who ran each part and how it ended, the break and the
 * resumption in the timeline, and (after a hang-up) the partial report
 * written then. The resume may be another person on another host. */

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
	timeline: {kind: string; event: string; operator: string | null}[];
	exports: {path: string; format: string}[];
	sessions: {operator: string | null; endedBy: string | null}[];
	[key: string]: unknown;
}

/** What an interruption adds to a report: the parts of the session and their endings, the break and the resumption, the partial report's export. */
function interruption(report: Report): {sessions: (string | null)[][]; timeline: string[]; exports: string[]} {
	return {
		sessions: report.sessions.map(s => [s.operator, s.endedBy]),
		timeline: report.timeline.filter(t => t.kind === 'session' && !t.event.startsWith('session started')).map(t => t.event),
		exports: report.exports.map(e => e.format),
	};
}

/** The report without the story of the session: its parts, who did what, the summary (which dates it). */
function withoutInterruption(report: Report): Report {
	const {timeline, exports: _exports, sessions: _sessions, summary: _summary, ...rest} = report;
	return {...rest, exports: [], sessions: [], timeline: timeline.filter(t => t.kind !== 'session').map(t => ({...t, operator: null}))};
}

const me = `${os.userInfo().username}@${os.hostname()}`;

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
	// After a hang-up the partial report holds the note.
	await quit(second, how === 'SIGKILL');
	return finalReport(journal);
}

/** The session never interrupted, walked once for every test that compares with it. */
let wholeWalk: Promise<Report> | undefined;
const uninterruptedOnce = () => (wholeWalk ??= uninterrupted());

test('kill -9 or a hang-up halfway, then resume: the same final report as a session never interrupted', {skip}, async () => {
	const whole = await uninterruptedOnce();
	assert.equal(whole.verdict, 'warning');
	assert.ok(whole.steps.some(s => s['note'] === 'leak seen from the bastion'));
	// Quit after the run finished: the session is simply over, nothing broke off.
	assert.deepEqual(interruption(whole), {sessions: [[me, 'quit']], timeline: [], exports: []});

	const killed = await interrupted('SIGKILL');
	assert.deepEqual(withoutInterruption(killed), withoutInterruption(whole));
	assert.deepEqual(interruption(killed).sessions, [[me, null], [me, 'quit']], 'kill -9 leaves no word of its ending');
	assert.equal(interruption(killed).timeline[0], 'session ended: stopped without a clean ending (killed or crashed)');
	assert.match(interruption(killed).timeline[1]!, new RegExp(`^session resumed by ${me} after \\d`));
	assert.deepEqual(interruption(killed).exports, [], 'killed: no partial report');

	const hungUp = await interrupted('SIGHUP');
	assert.deepEqual(withoutInterruption(hungUp), withoutInterruption(whole));
	assert.deepEqual(interruption(hungUp).sessions, [[me, 'SIGHUP'], [me, 'quit']]);
	const [ended, resumed] = interruption(hungUp).timeline;
	assert.equal(ended, 'session ended: hang-up (SIGHUP): the terminal or the SSH link closed');
	assert.match(resumed!, new RegExp(`^session resumed by ${me} after `));
	assert.deepEqual(interruption(hungUp).exports, ['markdown'], 'the partial report, journaled at the hang-up');
});

test('a hang-up, then another person resumes on another host: the same findings, and the report names both', {skip: elsewhereSkip}, async () => {
	const whole = await uninterruptedOnce();
	await mkdir(path.join(dir, 'handover'), {recursive: true});
	// The other person may pass through the test's directory to the journal handed to them, no further.
	await chmod(dir, 0o711);
	const handedOver = await interrupted('SIGHUP', elsewhere);
	assert.deepEqual(withoutInterruption(handedOver), withoutInterruption(whole));
	const bob = `${elsewhere.user}@${elsewhere.host}`;
	assert.deepEqual(interruption(handedOver).sessions, [[me, 'SIGHUP'], [bob, 'quit']]);
	assert.match(interruption(handedOver).timeline[1]!, new RegExp(`^session resumed by ${bob} after `));
	// What each did is theirs: the note before the hang-up, the tick after the resume.
	assert.equal(handedOver.timeline.find(e => e.kind === 'note')!.operator, me);
	assert.equal(handedOver.timeline.find(e => e.kind === 'manual')!.operator, bob);
	const md = execFileSync(process.execPath, [bin, 'report', path.join(dir, 'handover', 'SIGHUP.jsonl'), '--format', 'markdown'], {encoding: 'utf8'});
	assert.match(md, new RegExp(`- \\*\\*Run by:\\*\\* ${me} with pg500 `));
	assert.match(md, new RegExp(`- \\*\\*Resumed by:\\*\\* ${bob} with pg500 `));
});
