import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {mkdtemp, rm} from 'node:fs/promises';
import {copyFileSync, mkdirSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {startEmbeddedPostgres, type EmbeddedServer} from '../../source/drill/embedded.ts';
import {prepareScenario, type PreparedScenario} from '../../source/drill/drill.ts';
import {findScenario} from '../../source/drill/scenarios.ts';
import type {RunState} from '../../source/engine/types.ts';
import {initialState, reduce} from '../../source/engine/reducer.ts';
import {readJournal} from '../../source/journal/read.ts';
import {replayJournal, resumedEvent} from '../../source/journal/replay.ts';
import {openJournal, reopenJournal} from '../../source/journal/write.ts';
import {readDefaultRunbook} from '../../source/runbook/default-runbook.ts';
import {loadRunbook} from '../../source/runbook/load.ts';
import {renderReport} from '../../source/report/render.ts';
import {renderCommand} from '../../source/report/location.ts';
import type {JsonReport} from '../../source/report/json.ts';
import {writeFileAtomic} from '../../source/report/write-file-atomic.ts';
import {createSession} from '../../source/session/controller.ts';
import {createExecutor} from '../../source/session/create-executor.ts';
import {schemaProblems} from '../report/schema.ts';
import {axeViolations, pdfPagePng, pdfPages, pdfPageText, pngSize, printSkip, printToPdf, screenshot} from '../support/chromium.ts';
import {headless, look} from './helpers.ts';

/* Reports of real sessions: drills on an embedded PostgreSQL under a write
 * load, run as `pg500 run` runs them (or resumed by a second person), then
 * rendered in every format. Set PG500_REPORT_SHOTS=DIR to keep the
 * screenshots, the PDF and a page of it to look at. */

let server: EmbeddedServer;
let dir: string;
const bin = new URL('../../dist/pg500.mjs', import.meta.url).pathname;

before(async () => {
	server = await startEmbeddedPostgres();
	dir = await mkdtemp(path.join(os.tmpdir(), 'pg500-reports-'));
});
after(async () => {
	await server?.dispose();
	await rm(dir, {recursive: true, force: true});
});

async function prepare(id: string): Promise<PreparedScenario> {
	const database = `${id.replaceAll('-', '_')}_report`;
	return prepareScenario(server, findScenario(id)!, {database, logName: `${database}.log`});
}

function json(state: RunState): JsonReport {
	return JSON.parse(renderReport(state, 'json')) as JsonReport;
}

/** Where to keep what a person should look at: PG500_REPORT_SHOTS, else the test's own directory. */
function shots(): string {
	const kept = process.env['PG500_REPORT_SHOTS'];
	if (!kept) return dir;
	mkdirSync(kept, {recursive: true});
	return kept;
}

let lockChain: RunState | undefined;

test('lock-chain: the summary names the root blocker’s pid and its age; the locks step shows the root and counts its waiters', async () => {
	const drill = await prepare('lock-chain');
	try {
		const {state} = await headless(server, drill);
		lockChain = state;
		// The holder as another session sees it: the one idle in transaction on data_version.
		const [holder] = await look(server, drill.database, "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction' AND query LIKE 'UPDATE data_version%'");
		const report = json(state);
		assert.deepEqual(schemaProblems(report), []);
		const root = report.steps.find(s => s.id === 'locks')!.rows.find(r => r['kind'] === 'root')!;
		assert.equal(root['pid'], holder!['pid']);
		const summary = renderReport(state, 'summary').trimEnd().split('\n');
		assert.ok(summary.length <= 6, summary.join('\n'));
		assert.match(summary[0]!, /^CRITICAL: Transaction deadlocks and lock contention \(likely\) — lock_chain_report on 127\.0\.0\.1:\d+, /);
		assert.ok(summary[1]!.startsWith(`Evidence: root blocker pid ${root['pid']} (denokv/denokv, idle in transaction, transaction open ${root['xact_s']} s) blocks ${root['blocks']} sessions`), summary[1]);
		assert.match(summary[2]!, /^Fix: Clear the lock chain.* — chosen automatically/);
		assert.equal(summary[3], 'Actions: none taken');

		const md = renderReport(state, 'markdown');
		const locks = md.slice(md.indexOf('(`locks`)'), md.indexOf('(`timeouts`)'));
		const tableRows = locks.split('\n').filter(l => l.startsWith('| ') && !l.startsWith('| ---') && !l.startsWith('| kind'));
		assert.deepEqual(tableRows.map(l => l.split('|')[1]!.trim()), ['summary', 'root'], 'the summary row and the root, not the waiters');
		assert.match(locks, new RegExp(`_${Number(root['blocks'])} more rows \\(${Number(root['blocks'])} waiter\\) — all in the JSON report\\._`));
		assert.ok(!md.includes('WITH RECURSIVE'), 'no SQL in the Markdown unless asked');
		assert.ok(renderReport(state, 'markdown', {includeSql: true}).includes('<details><summary>SQL</summary>\n\n```sql\nWITH RECURSIVE'));
	} finally {
		await drill.release();
	}
});

test('deadlock: the timeline opens with the logs’ first errors, long before the first check, with their rates', async () => {
	const drill = await prepare('deadlock');
	try {
		const {state} = await headless(server, drill);
		const report = json(state);
		assert.deepEqual(schemaProblems(report), []);
		const serverLog = report.steps.find(s => s.id === 'server-logs')!.rows.find(r => r['class'] === 'deadlock')!;
		const firstCheck = report.timeline.findIndex(e => e.kind === 'check');
		const firstError = report.timeline.findIndex(e => e.kind === 'log' && e.stepId === 'server-logs');
		assert.ok(firstError >= 0 && firstError < firstCheck, `${firstError} before ${firstCheck}`);
		const entry = report.timeline[firstError]!;
		assert.equal(entry.at, serverLog['first_seen']);
		assert.ok(Date.parse(entry.at) < Date.parse(report.startedAt!) - 60_000, 'minutes before the session began');
		assert.equal(entry.event, `denokv server log: first deadlock error (${serverLog['count']} in all, ${serverLog['per_minute']}/min)`);
		assert.equal(entry.mark, 'critical');
		// Its last one, with the rate of its last five minutes: is it still going on?
		assert.ok(report.timeline.some(e => e.kind === 'log' && e.at === serverLog['last_seen'] && e.event.endsWith(`(${serverLog['per_minute_last_5m']}/min in its last 5 minutes)`)));
		// PostgreSQL's own 40P01s are in it too.
		assert.ok(report.timeline.some(e => e.kind === 'log' && e.stepId === 'postgres-logs' && e.event.startsWith('PostgreSQL log: first deadlock error')));
		const summary = renderReport(state, 'summary').trimEnd().split('\n');
		assert.match(summary[1]!, /^Evidence: (\d+ lock errors in the denokv log \(deadlock\)|the deadlock counter rose)/);
	} finally {
		await drill.release();
	}
});

test('a session resumed by another person on another host: the journal names both, and `pg500 report` renders it as the session did', async () => {
	const drill = await prepare('connection-leak');
	try {
		const runbook = await loadRunbook();
		const journalDir = path.join(dir, 'journals');
		const options = {url: drill.targetUrl, serverLog: drill.serverLogPath, pgLog: server.pgLogPath, statementTimeout: 5000, logTailMb: 64, color: false};
		const first = createExecutor(options, {});
		const journal = openJournal({dir: journalDir, runbookPath: runbook.path, runbookText: readDefaultRunbook(), target: first.target, options: {}});
		// Alice, on bastion-1, runs three steps and notes one; then her link drops (no word from her process).
		const alice = createSession({state: initialState(runbook), executor: first, journal, operator: 'alice@bastion-1'});
		alice.start();
		for (let i = 0; i < 4; i++) await alice.runNext();
		alice.setNote('connections', 'leak growing, paged the app team');
		alice.close();
		journal.close();
		await first.close();

		// Bob, on bastion-2, resumes it from the journal and finishes.
		const read = readJournal(journal.path);
		const second = createExecutor(options, {});
		const writer = reopenJournal(journal.path);
		const resumed = resumedEvent(read, replayJournal(read), 'bob@bastion-2');
		writer.append(resumed, {flush: true});
		const bob = createSession({state: reduce(replayJournal(read), resumed), executor: second, journal: writer, operator: 'bob@bastion-2'});
		await bob.runToEnd();
		const live = bob.getState().run;
		bob.close();
		writer.close();
		await second.close();

		const report = json(live);
		assert.deepEqual(schemaProblems(report), []);
		assert.deepEqual(report.sessions.map(s => s.operator), ['alice@bastion-1', 'bob@bastion-2']);
		assert.ok(report.sessions[1]!.gapMs! >= 0);
		const people = report.timeline.filter(e => e.kind === 'session').map(e => e.event);
		assert.match(people[0]!, /^session started by alice@bastion-1 /);
		assert.equal(people[1], 'session ended: stopped without a clean ending (killed or crashed)');
		assert.match(people[2]!, /^session resumed by bob@bastion-2 after /);
		assert.equal(report.timeline.find(e => e.kind === 'note')!.operator, 'alice@bastion-1');
		assert.equal(report.timeline.find(e => e.kind === 'fix')?.operator ?? null, null, 'the run chose the fix itself');
		for (const format of ['markdown', 'html', 'chat'] as const) {
			const text = renderReport(live, format);
			assert.ok(text.includes('alice@bastion-1') && text.includes('bob@bastion-2'), format);
		}
		// The report from the journal, by the bin as anyone runs it, is the session's own.
		for (const format of ['json', 'markdown', 'html', 'summary', 'chat'] as const) {
			const fromJournal = execFileSync(process.execPath, [bin, 'report', journal.path, '--format', format], {encoding: 'utf8'});
			const expected = renderReport(live, format, format === 'summary' ? {location: renderCommand(journal.path)} : {});
			assert.equal(fromJournal, expected, format);
		}
	} finally {
		await drill.release();
	}
});

test('the lock-chain report in Chromium: 1280 px screenshot, printed to PDF with the summary on page one, no SQL on paper, axe finds nothing', {skip: printSkip, timeout: 240_000}, () => {
	assert.ok(lockChain, 'the lock-chain drill ran');
	const out = shots();
	const file = path.join(dir, 'lock-chain.html');
	const html = renderReport(lockChain, 'html', {location: `${os.hostname()}:${file}`});
	writeFileAtomic(file, html);
	const png = path.join(out, 'lock-chain-1280.png');
	screenshot(file, png, 1280, 2400);
	assert.deepEqual(pngSize(png), {width: 1280, height: 2400});
	assert.ok(statSync(png).size > 60_000, `the screenshot has content (${statSync(png).size} bytes)`);

	const pdf = path.join(out, 'lock-chain.pdf');
	printToPdf(file, pdf);
	const pages = pdfPages(pdf);
	assert.ok(pages >= 2 && pages <= 8, `${pages} pages`);
	// The words as printed, however the page's width wrapped them.
	const page1 = pdfPageText(pdf, 1).replace(/\s+/g, ' ');
	const summary = renderReport(lockChain, 'summary').split('\n');
	assert.match(page1, /CRITICAL — HTTP 500 from denokv on PostgreSQL/);
	assert.ok(page1.includes(summary[0]!.slice(0, 60)), 'the summary is on the first page');
	assert.match(page1, /Who and where/);
	const all = Array.from({length: pages}, (_, i) => pdfPageText(pdf, i + 1)).join('\n');
	assert.ok(!all.includes('WITH RECURSIVE'), 'the SQL stays folded on paper');
	assert.match(all, /\d+ more rows \(\d+ waiter\)/, 'the waiters counted, not printed');
	const page = pdfPagePng(pdf, 1, path.join(out, 'lock-chain-page'));
	assert.ok(pngSize(page).width > 500);
	if (process.env['PG500_REPORT_SHOTS']) copyFileSync(file, path.join(out, 'lock-chain.html'));

	assert.deepEqual(axeViolations(html), [], 'WCAG 2.1 AA and best practice: contrast, headings, lang, names');
});
