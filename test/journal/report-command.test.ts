import {test} from 'node:test';
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {openJournal} from '../../source/journal/write.ts';
import {schemaProblems} from '../report/schema.ts';
import {interruptedEvents, poolExhaustionEvents, runbookPath, secret, smallRunbookText, target} from '../report/fixtures.ts';

const cli = new URL('../../cli.tsx', import.meta.url).pathname;

function pg500(...args: string[]) {
	const result = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], {encoding: 'utf8', timeout: 60_000});
	return {code: result.status, stdout: result.stdout, stderr: result.stderr};
}

function journalOf(dir: string, events = poolExhaustionEvents()): string {
	const journal = openJournal({dir, runbookPath, runbookText: smallRunbookText, target, options: {url: `postgres://app:${secret}@db/kv`}});
	for (const event of events) journal.append(event);
	journal.close();
	return journal.path;
}

test('pg500 report JOURNAL --format json|markdown|html: exit 0, the same session in each format', () => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pg500-report-cmd-'));
	const journal = journalOf(dir);
	const json = pg500('report', journal, '--format', 'json');
	assert.equal(json.code, 0, json.stderr);
	assert.equal(json.stderr, '');
	const report = JSON.parse(json.stdout);
	assert.deepEqual(schemaProblems(report), []);
	assert.equal(report.verdict, 'critical');

	const output = path.join(dir, 'incident.html');
	const html = pg500('report', journal, '--format', 'html', '--output', output, '--redact-literals');
	assert.equal(html.code, 0, html.stderr);
	assert.equal(html.stdout, '');
	const text = readFileSync(output, 'utf8');
	assert.match(text, /CRITICAL — Small 500 runbook/);
	assert.ok(!text.includes('card-4111-1111'), 'literals redacted');
	assert.equal(statSync(output).mode & 0o777, 0o600);

	const md = pg500('report', journal);
	assert.equal(md.code, 0);
	assert.match(md.stdout, /^# ✖ CRITICAL/, 'markdown by default');
	for (const out of [json.stdout, text, md.stdout]) assert.ok(!out.includes(secret));
});

test('pg500 report JOURNAL --format summary|chat: the summary names where the full report is; a file written is named as itself', () => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pg500-report-cmd-'));
	// This session exported a Markdown report: the summary points there, on the host that wrote it (the journal predates the operator: none named).
	const exported = pg500('report', journalOf(dir), '--format', 'summary');
	assert.equal(exported.code, 0, exported.stderr);
	const lines = exported.stdout.trimEnd().split('\n');
	assert.ok(lines.length >= 3 && lines.length <= 6, exported.stdout);
	assert.match(lines[0]!, /^CRITICAL: Connection pool exhaustion \(likely\) — denokv on db\.internal:5432, 2024-05-01 03:00 UTC$/);
	assert.equal(lines.at(-1), 'Full report: /tmp/incident-42.md');
	// A session that exported nothing: how to render one.
	const quiet = journalOf(mkdtempSync(path.join(os.tmpdir(), 'pg500-report-cmd-')), interruptedEvents());
	assert.equal(pg500('report', quiet, '--format', 'summary').stdout.trimEnd().split('\n').at(-1), `Full report: pg500 report ${quiet} --format html`);
	// Written to a file: the HTML names itself; the summary alone is no full report.
	const html = path.join(dir, 'r.html');
	assert.equal(pg500('report', quiet, '--format', 'html', '--output', html).code, 0);
	assert.ok(readFileSync(html, 'utf8').includes(`Full report: ${os.hostname()}:${html}`));
	const txt = path.join(dir, 'r.txt');
	assert.equal(pg500('report', quiet, '--format', 'summary', '--output', txt).code, 0);
	assert.ok(!readFileSync(txt, 'utf8').includes(txt));
	const chat = pg500('report', quiet, '--format', 'chat');
	assert.equal(chat.code, 0);
	assert.ok(!/^\s*\|/m.test(chat.stdout), 'no table in the chat format');
	for (const out of [exported.stdout, chat.stdout]) assert.ok(!out.includes(secret));
});

test('a journal cut off mid-write is still reported, with a one-line warning', () => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pg500-report-cmd-'));
	const journal = journalOf(dir, interruptedEvents());
	writeFileSync(journal, `${readFileSync(journal, 'utf8')}{"type":"step-fini`);
	const result = pg500('report', journal, '--format', 'markdown');
	assert.equal(result.code, 0);
	assert.match(result.stdout, /Interrupted session/);
	assert.equal(result.stderr, `pg500: ${journal}: the last line was cut off (the session was killed mid-write); reporting everything before it\n`);
});

test('a missing or corrupt journal, or an unwritable output: one line, exit 3, no stack trace', () => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pg500-report-cmd-'));
	const missing = pg500('report', path.join(dir, 'gone.jsonl'), '--format', 'json');
	assert.equal(missing.code, 3);
	assert.equal(missing.stderr, `pg500: ${path.join(dir, 'gone.jsonl')}: cannot read journal: no such file\n`);
	assert.equal(missing.stdout, '');

	const corrupt = path.join(dir, 'corrupt.jsonl');
	writeFileSync(corrupt, 'this is not a journal\n');
	const bad = pg500('report', corrupt);
	assert.equal(bad.code, 3);
	assert.equal(bad.stderr, `pg500: ${corrupt}: not a pg500 journal (line 1 is not a session header)\n`);

	const unwritable = pg500('report', journalOf(dir), '--output', path.join(dir, 'no-such-dir', 'r.md'));
	assert.equal(unwritable.code, 3);
	assert.equal(unwritable.stderr, `pg500: cannot write ${path.join(dir, 'no-such-dir', 'r.md')}: no such directory\n`);
});
