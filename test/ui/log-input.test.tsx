import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {existsSync} from 'node:fs';
import {mkdtemp, readdir, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {render} from 'ink-testing-library';
import {findScenario} from '../../source/drill/scenarios.ts';
import {renderLog} from '../../source/drill/server-log.ts';
import {readJournal} from '../../source/journal/read.ts';
import {glyphsFor} from '../../source/ui/glyphs.ts';
import {Guide} from '../../source/ui/guide.tsx';
import {startTestServer, type TestServer} from '../support/pg.ts';
import {keys, logRunbook, press, waitForFrame} from './frames.ts';
import {guideSession} from './guide-session.ts';

/* Issue 6: no log file given. The operator types a path, or runs a command
 * that prints the log, which runs only after they saw the exact line and said y. */

let server: TestServer;
let dir: string;
let serverLog: string;
let pgLog: string;
before(async () => {
	server = await startTestServer();
	dir = await mkdtemp(path.join(os.tmpdir(), 'pg500-ui-logs-'));
	// The denokv log of a drill whose slots ran out: 30 failed writes over the last 8 minutes.
	serverLog = path.join(dir, 'denokv.log');
	await writeFile(serverLog, renderLog(findScenario('slots-full')!.serverLog(), new Date()));
	pgLog = path.join(dir, 'postgresql.log');
	const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString().replace('T', ' ').replace('Z', ' UTC');
	await writeFile(pgLog, [5, 4, 4, 1].map((m, i) => `${at(m)} [${200 + i}] ERROR:  canceling statement due to statement timeout`).join('\n') + '\n');
});
after(async () => {
	await server?.stop();
	await rm(dir, {recursive: true, force: true});
});

async function session() {
	const db = await server.createDatabase();
	// No --server-log, no --pg-log: both log steps end manual, as on a bastion with nothing given.
	const {executor, journal, session} = guideSession({runbookText: logRunbook, name: 'log-ui-test.yaml', url: server.url(db), dir});
	const effects = {session, exit: () => {}, clipboard: () => {}};
	const ui = render(<Guide effects={effects} glyphs={glyphsFor({LANG: 'C.UTF-8'})} color={false} />);
	// Wide enough that a command line with a temp path shows on one line.
	Object.defineProperty(ui.stdout, 'columns', {value: 160, configurable: true});
	Object.defineProperty(ui.stdout, 'rows', {value: 40, configurable: true});
	(ui.stdout as unknown as NodeJS.EventEmitter).emit('resize');
	const close = async () => {
		ui.unmount();
		journal.close();
		await executor.close();
	};
	await press(ui, keys.enter, 'Enter');
	await waitForFrame(ui.lastFrame, f => f.includes('No --server-log given') && f.includes('l log file') && f.includes('x run a command'), 'server-logs manual, with the keys to give a log');
	return {ui, session, journal, close};
}

const logDirs = async () => new Set((await readdir(os.tmpdir())).filter(n => n.startsWith('pg500-log-')));

test('l: a missing file says why and lets the operator retype; a real one is read, with its sparkline', async () => {
	const s = await session();
	try {
		await press(s.ui, 'l', "'l'");
		await waitForFrame(s.ui.lastFrame, f => f.includes('Log file for server-logs:'), 'the path input');
		await press(s.ui, path.join(dir, 'nope.log'), 'a missing path');
		let frame = await press(s.ui, keys.enter, 'Enter');
		frame = await waitForFrame(s.ui.lastFrame, f => f.includes('no such file'), 'the one-line error');
		assert.match(frame, /cannot read the log file .*nope\.log: no such file: type another path, or Esc/);
		assert.match(frame, /Log file for server-logs: .*nope\.log/, 'the input stays, with what was typed');
		assert.equal(s.session.getState().run.steps['server-logs']!.status, 'manual', 'nothing ran on a bad path');

		// Retype: Ctrl-U clears the line.
		await press(s.ui, '\u0015', 'Ctrl-U');
		await press(s.ui, serverLog, 'the real path');
		await press(s.ui, keys.enter, 'Enter');
		frame = await waitForFrame(s.ui.lastFrame, f => /✖ 30 pool\/slot errors/.test(f), 'the log read and judged');
		assert.match(frame, /Over time: [▁▂▃▄▅▆▇█]{8,} (\d{4}-\d\d-\d\d )?\d\d:\d\d(:\d\d)?–(\d{4}-\d\d-\d\d )?\d\d:\d\d(:\d\d)? UTC, peak \d+\/\d+ (s|min)/, 'the sparkline with its time span');
		assert.doesNotMatch(frame, /no such file/, 'the error line is gone');
		assert.equal(s.session.getState().run.steps['server-logs']!.status, 'critical');
		const finished = readJournal(s.journal.path).events.filter(e => e.type === 'step-finished' && e.stepId === 'server-logs');
		assert.equal(finished.length, 2, 'the manual outcome, then the run on the typed path, both in the journal');

		// The PostgreSQL log, unreadable without a connection: a path too, but no command.
		await press(s.ui, keys.enter, 'Enter');
		frame = await waitForFrame(s.ui.lastFrame, f => f.includes('cannot read the PostgreSQL log') && f.includes('l log file'), 'postgres-logs manual');
		assert.doesNotMatch(frame, /x run a command/, 'commands are for the denokv log only');
		await press(s.ui, 'l', "'l'");
		await waitForFrame(s.ui.lastFrame, f => f.includes('Log file for postgres-logs:'), 'the path input');
		await press(s.ui, pgLog, 'the path');
		await press(s.ui, keys.enter, 'Enter');
		frame = await waitForFrame(s.ui.lastFrame, f => /⚠ 4 timeout errors/.test(f), 'the PostgreSQL log read');
		assert.match(frame, /Over time: /);
	} finally {
		await s.close();
	}
});

test('x: the command runs only after y on the exact line; its output is read as the log, then deleted', async () => {
	const s = await session();
	try {
		await press(s.ui, 'x', "'x'");
		let frame = await waitForFrame(s.ui.lastFrame, f => f.includes('docker logs --since 30m <container>'), 'the commands');
		assert.match(frame, /journalctl -u denokv --since -30min --no-pager/);
		assert.match(frame, /kubectl logs/);
		for (let i = 0; i < 3; i++) await press(s.ui, keys.down, 'down');
		await press(s.ui, keys.enter, 'Enter');
		await waitForFrame(s.ui.lastFrame, f => f.includes('│ command:'), 'the command input');
		const line = `cat ${serverLog}`;
		await press(s.ui, line, 'the command');
		await press(s.ui, keys.enter, 'Enter');
		frame = await waitForFrame(s.ui.lastFrame, f => f.includes('Run this command on this machine?'), 'the confirmation');
		assert.ok(frame.includes(`$ ${line}`), `the exact line is shown:\n${frame}`);
		assert.match(frame, /y run it/);
		assert.equal(s.session.getState().run.steps['server-logs']!.status, 'manual', 'nothing ran before y');

		const before = await logDirs();
		await press(s.ui, 'y', "'y'");
		frame = await waitForFrame(s.ui.lastFrame, f => /✖ 30 pool\/slot errors/.test(f), 'the output read as the server log');
		assert.ok(frame.includes('of the output of `cat'), `the notice names the command, not the temp file:\n${frame}`);
		// The temp directory goes once the step is judged (a moment after the frame).
		const made = [...(await logDirs())].filter(d => !before.has(d));
		await waitForFrame(() => made.filter(d => existsSync(path.join(os.tmpdir(), d))).join(','), f => f === '', 'the temp file removed');
	} finally {
		await s.close();
	}
});

test('x then n: nothing runs; a placeholder is quoted as one shell word', async () => {
	const s = await session();
	const marker = path.join(dir, 'ran');
	try {
		// Docker: what the operator types is one word, whatever it holds.
		await press(s.ui, 'x', "'x'");
		await waitForFrame(s.ui.lastFrame, f => f.includes('docker logs --since 30m <container>'), 'the commands');
		await press(s.ui, keys.enter, 'Enter');
		await waitForFrame(s.ui.lastFrame, f => f.includes('container name or id:'), 'the placeholder input');
		await press(s.ui, `app; touch ${marker}`, 'a hostile container name');
		await press(s.ui, keys.enter, 'Enter');
		let frame = await waitForFrame(s.ui.lastFrame, f => f.includes('Run this command'), 'the confirmation');
		assert.ok(frame.includes(`$ docker logs --since 30m 'app; touch ${marker}'`), frame);
		await press(s.ui, 'n', "'n'");
		frame = await waitForFrame(s.ui.lastFrame, f => f.includes('Nothing was run.'), 'declined');
		assert.ok(!existsSync(marker));

		// A raw command, declined with Esc this time.
		await press(s.ui, 'x', "'x'");
		await waitForFrame(s.ui.lastFrame, f => f.includes('docker logs --since 30m <container>'), 'the commands');
		for (let i = 0; i < 3; i++) await press(s.ui, keys.down, 'down');
		await press(s.ui, keys.enter, 'Enter');
		await waitForFrame(s.ui.lastFrame, f => f.includes('│ command:'), 'the command input');
		await press(s.ui, `touch ${marker}`, 'the command');
		await press(s.ui, keys.enter, 'Enter');
		await waitForFrame(s.ui.lastFrame, f => f.includes(`$ touch ${marker}`), 'the confirmation');
		await press(s.ui, keys.escape, 'Esc');
		await waitForFrame(s.ui.lastFrame, f => f.includes('Nothing was run.'), 'declined');
		assert.ok(!existsSync(marker), 'declining runs nothing');
		assert.equal(s.session.getState().run.steps['server-logs']!.status, 'manual');
		assert.equal(readJournal(s.journal.path).events.filter(e => e.type === 'step-started').length, 1, 'no step started after the first');
	} finally {
		await s.close();
	}
});

test('a command that fails: its last line says why, and nothing is read', async () => {
	const s = await session();
	try {
		await press(s.ui, 'x', "'x'");
		await waitForFrame(s.ui.lastFrame, f => f.includes('docker logs --since 30m <container>'), 'the commands');
		for (let i = 0; i < 3; i++) await press(s.ui, keys.down, 'down');
		await press(s.ui, keys.enter, 'Enter');
		await waitForFrame(s.ui.lastFrame, f => f.includes('│ command:'), 'the command input');
		await press(s.ui, `cat ${path.join(dir, 'absent.log')}`, 'the command');
		await press(s.ui, keys.enter, 'Enter');
		await waitForFrame(s.ui.lastFrame, f => f.includes('Run this command'), 'the confirmation');
		await press(s.ui, 'y', "'y'");
		const frame = await waitForFrame(s.ui.lastFrame, f => f.includes('The command failed'), 'the failure');
		assert.match(frame, /The command failed \(exit 1\), nothing was read: cat: .*absent\.log: No such file/);
		assert.equal(s.session.getState().run.steps['server-logs']!.status, 'manual');
	} finally {
		await s.close();
	}
});
