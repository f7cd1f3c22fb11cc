import {test} from 'node:test';
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {bin, journalEvents, tmuxSkip, tmuxTestbed} from './tmux-support.ts';

/* Every way a guided session can end without `q`, sent for real to the
 * built bin in a pseudo-terminal (tmux): SIGHUP, SIGTERM and SIGINT from
 * kill, and a terminal that goes away without a signal reaching pg500. Each
 * must end the same way: the partial report written and its export the
 * journal's last event, both paths on standard error, the conventional exit
 * code. Standard error goes to a file, so it can be read after the terminal
 * is gone. */

const skip = tmuxSkip;
const {tmux, alive, waitForPane, where} = tmuxTestbed('signals', {postgres: true});
let db: string | undefined;

/** The shell wrote pg500's exit code (the file exists as soon as the shell opens it, empty until then). */
const ended = (code: string) => existsSync(code) && readFileSync(code, 'utf8').endsWith('\n');

async function until(what: string, done: () => boolean): Promise<void> {
	for (let i = 0; i < 1200 && !done(); i++) await new Promise(resolve => setTimeout(resolve, 25));
	assert.ok(done(), what);
}

/**
 * A guided session in an 80×24 pane, one step run. `detached`: pg500 in a
 * session of its own (setsid), so that closing the terminal sends it no
 * hang-up: it only finds its input gone.
 */
async function session(name: string, detached = false) {
	db ??= await where.server.createDatabase();
	const journal = path.join(where.dir, `${name}.jsonl`);
	const err = path.join(where.dir, `${name}.err`);
	const code = path.join(where.dir, `${name}.code`);
	const shellPid = path.join(where.dir, `${name}.pid`);
	// A shell runs pg500 and keeps its exit code, outliving a hang-up (Node resets the signals it inherits);
	// setsid gives that shell and pg500 a session of their own.
	const command = `${detached ? 'setsid ' : ''}sh -c 'trap "" HUP; echo $$ > ${shellPid}; node ${bin} --runbook ${where.runbook} --journal ${journal} 2> ${err}; echo $? > ${code}'; sleep 30`;
	tmux('new-session', '-d', '-s', name, '-x', '80', '-y', '24', '-e', `DATABASE_URL=${where.server.url(db)}`, '-e', 'LANG=C.UTF-8', '-e', `XDG_STATE_HOME=${where.dir}`, command);
	await waitForPane(name, s => s.includes('Enter run next: connect'), 'the first frame');
	tmux('send-keys', '-t', name, 'Enter');
	await waitForPane(name, s => s.includes('nothing anomalous'), 'connect done');
	const shell = readFileSync(shellPid, 'utf8').trim();
	const pid = Number(readFileSync(`/proc/${shell}/task/${shell}/children`, 'utf8').trim().split(' ')[0]);
	// Never 0: kill(0) would signal the test runner's own process group.
	assert.ok(pid > 0, `pg500's pid, the child of shell ${shell}`);
	assert.match(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), /pg500\.mjs/, 'the pid is pg500 itself');
	return {journal, err, code, pid};
}

function assertCleanEnding(s: {journal: string; err: string; code: string}, how: string, exitCode: number): void {
	const report = s.journal.replace(/\.jsonl$/, '.md');
	const [ended, exported] = journalEvents(s.journal).slice(-2);
	assert.deepEqual(ended && {type: ended.type, how: ended.how}, {type: 'session-ended', how});
	assert.deepEqual(exported && {type: exported.type, path: exported.path}, {type: 'report-exported', path: report}, 'the export is the last event');
	assert.ok(existsSync(report), 'the partial report was written');
	assert.match(readFileSync(report, 'utf8'), /Connect to the database/);
	const stderr = readFileSync(s.err, 'utf8');
	assert.match(stderr, new RegExp(`^journal: ${s.journal}$`, 'm'));
	assert.match(stderr, new RegExp(`^partial report: ${report}$`, 'm'));
	assert.doesNotMatch(stderr, /Error|at .*\.mjs/, 'no stack trace');
	assert.equal(readFileSync(s.code, 'utf8').trim(), String(exitCode));
}

for (const [signal, exitCode] of [
	['SIGHUP', 129],
	['SIGTERM', 143],
	['SIGINT', 130],
] as const) {
	test(`a real ${signal}: partial report, its export journaled last, both paths on stderr, exit ${exitCode}`, {skip}, async () => {
		const name = signal.toLowerCase();
		const s = await session(name);
		process.kill(s.pid, signal);
		await until('pg500 ended', () => ended(s.code));
		assertCleanEnding(s, signal, exitCode);
		// The terminal is restored: echo and line editing on again (raw mode off).
		const tty = tmux('display-message', '-p', '-t', name, '#{pane_tty}').trim();
		const modes = execFileSync('stty', ['-a', '-F', tty], {encoding: 'utf8'}).split(/[\s;]+/);
		assert.ok(modes.includes('echo') && modes.includes('icanon'), `terminal modes after ${signal}: ${modes.join(' ')}`);
		tmux('kill-session', '-t', name);
	});
}

for (const [detached, how, what] of [
	[false, 'SIGHUP', 'the hang-up reaches pg500 with its input gone'],
	[true, 'terminal-lost', 'pg500 in a session of its own: no hang-up reaches it, it notices its input gone'],
] as const) {
	test(`the terminal closed under pg500 (${what}): it ends the same way, exit 129`, {skip}, async () => {
		const name = detached ? 'detached' : 'closed';
		const s = await session(name, detached);
		tmux('kill-session', '-t', name);
		await until('pg500 ended', () => ended(s.code));
		assert.ok(!alive(name));
		// 129, not 134: Node must not abort restoring a terminal that is gone.
		assertCleanEnding(s, how, 129);
		assert.ok(!existsSync(`/proc/${s.pid}`), 'the process is gone, its connection with it');
	});
}
