import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import type {Executor} from '../../source/checks/executor.ts';
import {startQuiz} from '../../source/drill/quiz.ts';
import {findScenario, scenarios} from '../../source/drill/scenarios.ts';
import {renderLog} from '../../source/drill/server-log.ts';
import {initialState} from '../../source/engine/reducer.ts';
import type {RunEvent, RunState} from '../../source/engine/types.ts';
import {readJournal} from '../../source/journal/read.ts';
import {replayJournal} from '../../source/journal/replay.ts';
import {openJournal, reopenJournal, type JournalWriter} from '../../source/journal/write.ts';
import {parseRunbook} from '../../source/runbook/parse.ts';
import {createSession, type SessionSetup} from '../../source/session/controller.ts';
import {createExecutor} from '../../source/session/create-executor.ts';
import {reportExporter} from '../../source/session/export.ts';
import {startTestServer, type TestServer} from '../support/pg.ts';
import {logRunbook, testRunbook} from '../ui/frames.ts';

/* The session controller, driven as the faces drive it, with the real
 * executor on a real PostgreSQL: one session left idle in a transaction by
 * "leaky-app" is the fault. */

let server: TestServer;
let dir: string;
before(async () => {
	server = await startTestServer();
	dir = await mkdtemp(path.join(os.tmpdir(), 'pg500-session-'));
});
after(async () => {
	await server?.stop();
	await rm(dir, {recursive: true, force: true});
});

const runbook = () => parseRunbook(testRunbook, 'ui-test.yaml');
const executors: Executor[] = [];
after(() => Promise.all(executors.map(e => e.close())));

async function leakyDatabase(): Promise<{url: string; leak: pg.Client}> {
	const db = await server.createDatabase();
	const leak = await server.connect(db);
	await leak.query("set application_name = 'leaky-app'");
	await leak.query('begin');
	await leak.query('select 1');
	return {url: server.url(db), leak};
}

function executorFor(url: string, logs: {serverLog?: string} = {}): Executor {
	const executor = createExecutor({url, statementTimeout: 5000, logTailMb: 64, color: false, ...logs}, {});
	executors.push(executor);
	return executor;
}

/** A session on its own journal, as `pg500` sets one up. */
function journaled(executor: Executor, setup: Partial<SessionSetup> = {}, spec = {text: testRunbook, name: 'ui-test.yaml'}) {
	const book = parseRunbook(spec.text, spec.name);
	const journal = openJournal({dir, runbookPath: book.path, runbookText: spec.text, target: executor.target, options: {}});
	const session = createSession({state: initialState(book), executor, journal, exportReport: reportExporter({format: 'markdown'}, journal.path), ...setup});
	return {session, journal};
}

const eventsOf = (journal: JournalWriter) => readJournal(journal.path).events;
const count = (events: RunEvent[], type: RunEvent['type'], stepId?: string) =>
	events.filter(e => e.type === type && (stepId === undefined || ('stepId' in e && e.stepId === stepId))).length;

test("the operator's walk: one step per runNext, the choice left to the person, the chosen fix's follow-ups run at once, every event journaled", async () => {
	const {url, leak} = await leakyDatabase();
	const {session, journal} = journaled(executorFor(url));
	const running: (string | undefined)[] = [];
	const unsubscribe = session.subscribe(() => {
		const now = session.getState().running;
		if (now !== running.at(-1)) running.push(now);
	});
	try {
		session.start();
		assert.equal(session.getState(), session.getState(), 'the same snapshot while nothing changes (useSyncExternalStore needs it)');

		assert.deepEqual(await session.runNext(), {kind: 'step', stepId: 'connect'});
		let run = session.getState().run;
		assert.equal(run.steps['connect']!.status, 'ok');
		assert.match(run.target?.serverVersion ?? '', /^\d+/, 'the server version is known once connected');

		assert.deepEqual(await session.runNext(), {kind: 'step', stepId: 'idle-tx'});
		run = session.getState().run;
		assert.equal(run.steps['idle-tx']!.status, 'warning');
		assert.match(run.steps['idle-tx']!.findings[0]!.message, /^backend \d+ idle in transaction \(leaky-app\)$/);

		assert.deepEqual(await session.runNext(), {kind: 'step', stepId: 'next-steps'});
		assert.equal(session.getState().run.steps['next-steps']!.status, 'manual');
		session.tick('next-steps');
		assert.equal(session.getState().run.steps['next-steps']!.done, true);

		assert.equal(session.getState().unsavedNotes, false);
		session.setNote('idle-tx', '  seen from the bastion ');
		assert.equal(session.getState().run.steps['idle-tx']!.note, 'seen from the bastion');
		assert.equal(session.getState().unsavedNotes, true);
		assert.equal(count(eventsOf(journal), 'note-set'), 1, 'the note is in the journal at once');

		// Where the runbook leaves the choice to a person, the operator's Enter stops.
		assert.deepEqual(await session.runNext(), {kind: 'choose-fix', recommended: 'end-leaks', options: ['end-leaks', 'look-around']});
		assert.equal(session.getState().run.chosenFix, undefined);

		await session.chooseFix('end-leaks');
		run = session.getState().run;
		assert.deepEqual({...run.chosenFix, at: undefined}, {id: 'end-leaks', by: 'operator', at: undefined});
		assert.deepEqual(run.steps['end-leaks/still-idle']!.rows, [{idle: 1}], 'the follow-up ran live against the server');

		assert.deepEqual(await session.runNext(), {kind: 'end'});
		assert.ok(session.getState().run.finishedAt);
		await session.runNext();
		assert.equal(count(eventsOf(journal), 'run-finished'), 1, 'the run finishes once');

		const {path: reportFile, format} = await session.exportReport();
		assert.equal(format, 'markdown');
		assert.equal(reportFile, journal.path.replace(/\.jsonl$/, '.md'));
		assert.match(await readFile(reportFile, 'utf8'), /seen from the bastion/);
		assert.equal(session.getState().unsavedNotes, false, 'the note is in a report now');

		assert.deepEqual(running, ['connect', undefined, 'idle-tx', undefined, 'next-steps', undefined, 'end-leaks/still-idle', undefined]);
		// The journal alone rebuilds what the session shows.
		const replayed = replayJournal(readJournal(journal.path));
		assert.deepEqual(replayed.steps, session.getState().run.steps);
		assert.deepEqual(replayed.chosenFix, session.getState().run.chosenFix);
		assert.deepEqual(replayed.exports, session.getState().run.exports);
	} finally {
		unsubscribe();
		journal.close();
		await leak.end();
	}
});

test('one step at a time: what the operator sends while a step runs is dropped, not queued', async () => {
	const {url, leak} = await leakyDatabase();
	const {session, journal} = journaled(executorFor(url));
	try {
		session.start();
		const first = session.runNext();
		assert.equal(session.getState().running, 'connect', 'the step runs from the moment it is asked for');
		assert.equal(await session.runNext(), undefined);
		await session.rerun('connect');
		await session.chooseFix('end-leaks');
		assert.deepEqual(await first, {kind: 'step', stepId: 'connect'});
		const events = eventsOf(journal);
		assert.equal(count(events, 'step-started'), 1);
		assert.equal(count(events, 'fix-chosen'), 0);

		// Once it is done, the same intents act.
		await session.rerun('connect');
		assert.equal(count(eventsOf(journal), 'step-started', 'connect'), 2);
		await session.rerun('idle-tx');
		assert.equal(count(eventsOf(journal), 'step-started', 'idle-tx'), 0, 'a step never run is not re-run');
	} finally {
		journal.close();
		await leak.end();
	}
});

/** The real executor, except that one step fails the way a bug in pg500 would. */
function failingOn(stepId: string, executor: Executor): Executor {
	return {
		target: executor.target,
		serverVersion: () => executor.serverVersion(),
		close: () => executor.close(),
		run: (step, id, state) => (id === stepId ? Promise.reject(new Error('a bug')) : executor.run(step, id, state)),
	};
}

test('pg500 run: runToEnd takes the recommended path and fix itself; an internal error ends it, where the operator would see it on the step', async () => {
	const {url, leak} = await leakyDatabase();
	try {
		const headless = createSession({state: initialState(runbook()), executor: executorFor(url)});
		headless.start();
		const state: RunState = await headless.runToEnd();
		assert.deepEqual({...state.chosenFix, at: undefined}, {id: 'end-leaks', by: 'auto', at: undefined});
		assert.deepEqual(state.steps['end-leaks/still-idle']!.rows, [{idle: 1}]);
		assert.equal(state.steps['next-steps']!.status, 'manual');
		assert.ok(state.finishedAt);
		assert.equal(headless.getState().running, undefined);

		const broken = createSession({state: initialState(runbook()), executor: failingOn('idle-tx', executorFor(url))});
		broken.start();
		await assert.rejects(broken.runToEnd(), /a bug/, 'exit 3 for run, per the contract');
		assert.equal(broken.getState().running, undefined);

		const guided = createSession({state: initialState(runbook()), executor: failingOn('idle-tx', executorFor(url))});
		guided.start();
		await guided.runNext();
		await guided.runNext();
		const step = guided.getState().run.steps['idle-tx']!;
		assert.equal(step.status, 'error');
		assert.equal(step.error?.message, 'a bug');
		assert.match(step.error?.hint ?? '', /internal error of pg500; press r to try again/);
		assert.deepEqual(await guided.runNext(), {kind: 'step', stepId: 'next-steps'}, 'the session goes on');
	} finally {
		await leak.end();
	}
});

test('resume: the step cut off runs again on the same journal; finished steps stay; notes not in a report are still unsaved', async () => {
	const {url, leak} = await leakyDatabase();
	const book = runbook();
	const target = {host: 'h', port: 1, database: 'd', user: 'u', serverVersion: null};
	const first = openJournal({dir, runbookPath: book.path, runbookText: testRunbook, target, options: {}});
	const at = new Date().toISOString();
	for (const event of [
		{type: 'run-started', at, tool: {name: 'pg500', version: 'test'}, target, runbookPath: book.path},
		{type: 'step-started', at, stepId: 'connect'},
		{type: 'step-finished', at, stepId: 'connect', durationMs: 3, outcome: {rows: [], rowCount: 0}},
		{type: 'note-set', at, stepId: 'connect', text: 'from the bastion'},
		{type: 'step-started', at, stepId: 'idle-tx'},
	] satisfies RunEvent[])
		first.append(event);
	first.close();

	const journal = reopenJournal(first.path);
	const session = createSession({state: replayJournal(readJournal(first.path)), executor: executorFor(url), journal});
	try {
		assert.equal(session.getState().unsavedNotes, true);
		assert.equal(session.getState().run.steps['idle-tx']!.status, 'running');
		await session.rerunInterrupted();
		assert.equal(session.getState().run.steps['idle-tx']!.status, 'warning');
		const events = readJournal(first.path).events;
		assert.equal(count(events, 'step-started', 'connect'), 1, 'finished steps are not run again');
		assert.equal(count(events, 'step-finished', 'idle-tx'), 1);
		assert.deepEqual(await session.runNext(), {kind: 'step', stepId: 'next-steps'});
	} finally {
		journal.close();
		await leak.end();
	}
});

test('a log named at run time: a path that cannot be read says why and runs nothing; a file is read as the step log; a confirmed command too, its output deleted after', async () => {
	const db = await server.createDatabase();
	const serverLog = path.join(dir, 'denokv.log');
	await writeFile(serverLog, renderLog(findScenario('slots-full')!.serverLog(), new Date()));
	const spec = {text: logRunbook, name: 'log-ui-test.yaml'};

	const byPath = journaled(executorFor(server.url(db)), {}, spec);
	const byCommand = journaled(executorFor(server.url(db)), {captureLimits: {timeoutMs: 10_000, maxBytes: 1 << 20}}, spec);
	try {
		assert.equal(byPath.session.logInput, true);
		byPath.session.start();
		await byPath.session.runNext();
		assert.equal(byPath.session.getState().run.steps['server-logs']!.status, 'manual', 'no --server-log given');

		const missing = await byPath.session.setLogPath('server-logs', path.join(dir, 'nope.log'));
		assert.match(missing ?? '', /^cannot read the log file .*nope\.log: no such file$/);
		assert.equal(await byPath.session.setLogPath('server-logs', dir), `cannot read the log file ${dir}: it is a directory`);
		assert.equal(count(eventsOf(byPath.journal), 'step-started'), 1, 'nothing ran on a bad path');

		assert.equal(await byPath.session.setLogPath('server-logs', serverLog), undefined);
		assert.equal(byPath.session.getState().run.steps['server-logs']!.status, 'critical');
		assert.match(byPath.session.getState().run.steps['server-logs']!.findings.map(f => f.message).join('\n'), /^30 pool\/slot errors/m);
		// Read now: there is nothing left to name a log for.
		assert.equal(await byPath.session.runLogCommand('server-logs', `cat ${serverLog}`), undefined);
		assert.equal(count(eventsOf(byPath.journal), 'step-started'), 2);

		byCommand.session.start();
		await byCommand.session.runNext();
		assert.match((await byCommand.session.runLogCommand('server-logs', `cat ${path.join(dir, 'absent.log')}`)) ?? '', /^The command failed \(exit 1\), nothing was read: cat: .*absent\.log: No such file/);
		assert.equal(byCommand.session.getState().run.steps['server-logs']!.status, 'manual');

		assert.equal(await byCommand.session.runLogCommand('server-logs', `cat ${serverLog}`), undefined);
		const step = byCommand.session.getState().run.steps['server-logs']!;
		assert.equal(step.status, 'critical');
		const named = step.findings.map(f => f.message).join('\n');
		assert.match(named, /the output of `cat .*denokv\.log`/, 'the notices name the command, not the temp file');
		const temp = /pg500-log-[^/\s`]+/.exec(JSON.stringify(readJournal(byCommand.journal.path).events));
		assert.equal(temp, null, 'the temp file is never named');
		assert.equal(byCommand.session.getState().running, undefined);
	} finally {
		byPath.journal.close();
		byCommand.journal.close();
	}
});

test('export and quiz: a failed export records nothing; the quiz is judged once and its result is a note', async () => {
	const {url, leak} = await leakyDatabase();
	const index = scenarios.findIndex(s => s.id === 'connection-leak');
	const {hook} = startQuiz(() => (index + 0.5) / scenarios.length);
	const failing = journaled(executorFor(url), {exportReport: () => Promise.reject(new Error('disk full')), quiz: hook});
	try {
		const {session, journal} = failing;
		assert.deepEqual(session.quizChoices, hook.choices);
		session.start();
		await session.runNext();
		await session.runNext();
		await assert.rejects(session.exportReport(), /disk full/);
		assert.equal(count(eventsOf(journal), 'report-exported'), 0);

		const reveal = session.answerQuiz('pool-exhaustion');
		assert.ok(reveal);
		assert.equal(reveal.expected, 'pool-exhaustion');
		assert.equal(reveal.correct, true);
		assert.deepEqual(session.getState().reveal, {correct: true, text: reveal.text});
		assert.equal(session.getState().unsavedNotes, true);
		assert.equal(session.answerQuiz('deadlocks'), undefined, 'answered once');
		const notes = eventsOf(journal).filter(e => e.type === 'note-set');
		assert.equal(notes.length, 1);
		assert.match(notes[0]!.type === 'note-set' ? notes[0]!.text : '', /The drill was connection-leak/);
	} finally {
		failing.journal.close();
		await leak.end();
	}
});
