import {test} from 'node:test';
import assert from 'node:assert/strict';
import {escapeMarkdown} from '../../source/report/markdown.ts';
import {renderReport} from '../../source/report/render.ts';
import {interruptedEvents, poolExhaustionEvents, replay} from './fixtures.ts';

/** The lines of a fenced block that starts with `opening`. */
function fenced(md: string, opening: string): string[] {
	const lines = md.split('\n');
	const start = lines.indexOf(opening);
	assert.ok(start >= 0, `a block opening with ${opening}`);
	const end = lines.indexOf('```', start + 1);
	return lines.slice(start + 1, end);
}

test('markdown: the heading, then the summary as a plain block, then who and where, causes, the fix', () => {
	const md = renderReport(replay(poolExhaustionEvents()), 'markdown');
	const lines = md.split('\n');
	assert.equal(lines[0], '# ✖ CRITICAL — Small 500 runbook');
	assert.equal(lines[2], '```text', 'the summary comes first, in a block copied as it is');
	assert.deepEqual(fenced(md, '```text').slice(0, 1), ['CRITICAL: Connection pool exhaustion (likely) — denokv on db.internal:5432, 2024-05-01 03:00 UTC']);
	assert.match(md, /\*\*Verdict: ✖ critical\*\* — at least one critical finding \(2 critical, 6 warnings\)/);
	assert.match(md, /1\. \*\*Connection pool exhaustion\*\* — likely \(score 0\.96\)\n {3}- server-logs: 240 pool errors/);
	// A cause without evidence is one word in a line, not a section.
	assert.match(md, /\nNo evidence for: Connection failure\.\n/);
	assert.match(md, /## Fix: Free the pool \(chosen by the operator\)/);
	assert.match(md, /1\. Find the leak\n2\. Set idle_in_transaction_session_timeout = '60s'/);
	// The command holds a backtick: the fence is longer than any run inside.
	assert.match(md, /```sh\npsql -c 'SELECT pg_terminate_backend\(pid\)' # `careful`\n```/);
	const order = ['```text', '## Who and where', '## Causes', '## Fix', '## Timeline', '## Steps'].map(s => md.indexOf(s));
	assert.deepEqual([...order].sort((a, b) => a - b), order, 'in this order');
	assert.ok(!order.includes(-1));
});

test('markdown: who and where — the target without its password, who ran it with which pg500, the runbook and its version', () => {
	const md = renderReport(replay(poolExhaustionEvents()), 'markdown');
	assert.match(md, /- \*\*Target:\*\* app@db\.internal:5432\/denokv — PostgreSQL 16\.4\n/);
	// This fixture's run-started predates the operator field: said so, not invented.
	assert.match(md, /- \*\*Run by:\*\* an operator pg500 did not record with pg500 1\.2\.3, 03:00:00–03:00:51 UTC\n/);
	assert.match(md, /- \*\*Finished:\*\* 2024-05-01 03:00:51 UTC \(51\.0 s\)\n/);
	assert.match(md, /- \*\*Runbook:\*\* small-500 v3 \(runbooks\/small-500\.yaml\)\n/);
	assert.ok(!md.includes('hunter2'), 'no password anywhere');
});

test('markdown: the timeline is the incident — the log’s first error before the first check, notes, the fix; no started/finished pairs', () => {
	const md = renderReport(replay(poolExhaustionEvents()), 'markdown');
	const timeline = md.slice(md.indexOf('## Timeline (UTC)'), md.indexOf('## Steps')).trim().split('\n').slice(2);
	assert.deepEqual(timeline, [
		'- `2024-05-01 02:50:00` ✖ Read the server log: first pool-timeout error (240 in all, 24/min)',
		'- `02:59:55` ✖ Read the server log: last pool-timeout error read',
		'- `03:00:00` session started by an operator pg500 did not record (pg500 1.2.3, runbook small-500 v3) against app@db.internal:5432/denokv',
		'- `03:00:01` ✖ Read the server log: critical — 240 pool errors (pool-timeout): Database error: timed out connecting to postgres://app:\\*\\*\\*@db.internal/denokv \\| \\<b\\>\\`x\\`\\</b\\>',
		'- `03:00:03` ✔ Reach PostgreSQL: ok',
		"- `03:00:05` ✖ Connections \\| slots: critical — 97 of 97 slots in use (100%) after: UPDATE kv SET v = 'card-4111-1111' WHERE k = 4242 AND n \\> 3.5",
		'- `03:00:30` note on Connections \\| slots: restarted worker 3 \\| see \\*INC-42\\* \\<script\\>alert(1)\\</script\\> password=\\*\\*\\*',
		'- `03:00:40` ✔ Tell the team: done by hand',
		'- `03:00:45` fix chosen by the operator: Free the pool',
		'- `03:00:46` ⚠ Sessions idle in transaction (follow-up of the fix): warning — pid 1000 idle in transaction (+5 more findings)',
		'- `03:00:51` run finished',
	]);
	assert.ok(!/\bstarted (server-logs|connect)\b|finished connect/.test(md));
});

test('markdown: steps — symbols, findings, the rows that carry them, the rest counted, a ticked manual step done', () => {
	const md = renderReport(replay(poolExhaustionEvents()), 'markdown');
	assert.match(md, /### ✖ 1\. Read the server log \(`server-logs`\) — critical, 850 ms/);
	assert.match(md, /### ✔ 2\. Reach PostgreSQL \(`connect`\) — ok, 40 ms/);
	// A manual step is an instruction, done or to do — never a failure.
	assert.match(md, /### ☑ 4\. Tell the team \(`next-steps`\) — done by hand\n\n- post the report\n/);
	// The log step's histogram as a sparkline, its span and its peak per bucket.
	assert.match(md, /\n\*\*Over time:\*\* `▁▂▂▁▃▅█▆▄▃` 02:50–03:00 UTC, peak 80\/1 min\n/);
	// A title with a pipe does not break the heading; a value with | < ` does not break the table.
	assert.match(md, /### ✖ 3\. Connections \\\| slots/);
	const sampleRow = md.split('\n').find(l => l.startsWith('| pool-timeout |'))!;
	assert.match(sampleRow, /denokv \\\| \\<b\\>\\`x\\`\\<\/b\\> \|$/);
	assert.equal(sampleRow.split(/(?<!\\)\|/).length - 2, 7, 'seven cells, as many as columns');
	// Sixty leaked sessions: the five that made findings, their common query said once, the rest counted.
	assert.match(md, /_In every row shown:_ query UPDATE kv SET v = 'card-4111-1111' WHERE k = 4242 AND n \\> 3\.5\n\n\| pid \|\n\| --- \|\n\| 1000 \|\n/);
	assert.match(md, /_45 more rows; 10 beyond the 50 kept — all in the JSON report\._/);
	assert.match(md, /> \*\*Operator's note:\*\* restarted worker 3 \\\| see \\\*INC-42\\\* \\<script\\>/);
	assert.match(md, /## Exported reports\n\n- markdown: \/tmp\/incident-42\.md \(2024-05-01 03:00:50 UTC\)/);
	assert.ok(!md.includes('<script>'), 'no live HTML');
});

test('markdown: SQL only on request, folded in <details>', () => {
	const sql = "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction' AND pid <> 12345";
	assert.ok(!renderReport(replay(poolExhaustionEvents()), 'markdown').includes('pg_stat_activity'));
	const md = renderReport(replay(poolExhaustionEvents()), 'markdown', {includeSql: true});
	assert.ok(md.includes(`<details><summary>SQL</summary>\n\n\`\`\`sql\n${sql}\n\`\`\`\n\n</details>`));
});

test('chat: the summary as the message itself, then lists — no table, no heading, no HTML', () => {
	const chat = renderReport(replay(poolExhaustionEvents()), 'chat', {includeSql: true});
	const lines = chat.split('\n');
	assert.match(lines[0]!, /^✖ CRITICAL — Small 500 runbook:$/);
	assert.match(lines[2]!, /^CRITICAL: Connection pool exhaustion \(likely\)/);
	assert.ok(!lines.some(l => /^\s*\|/.test(l)), 'no table row');
	assert.ok(!lines.some(l => /^#/.test(l)), 'no heading');
	assert.ok(!chat.includes('<details>') && !chat.includes('pg_stat_activity'), 'no HTML, no SQL');
	assert.ok(!/\*\*[A-Za-z]/.test(chat), 'no emphasis a chat tool shows as stars');
	assert.match(chat, /\nTimeline \(UTC\):\n\n- `2024-05-01 02:50:00` ✖ Read the server log: first pool-timeout error/);
	assert.match(chat, /_?1 result row in the full report\._?/);
});

test('markdown of an interrupted session says so and marks what did not run', () => {
	const md = renderReport(replay(interruptedEvents()), 'markdown');
	assert.match(md, /> ⚠ \*\*Interrupted session:\*\* the run did not finish/);
	assert.match(fenced(md, '```text')[0]!, /^CRITICAL \(run not finished\): Connection pool exhaustion \(likely\)/);
	assert.match(md, /### ✖ 3\. Connections \\\| slots \(`connections`\) — error\n\n_interrupted: the session stopped while this step was running/);
	assert.match(md, /### – 4\. Tell the team \(`next-steps`\) — skipped\n\n_not run yet: the session stopped before this step_/);
	assert.match(md, /## Fix: Free the pool \(recommended, not chosen yet\)/);
	assert.match(md, /- \*\*Last recorded:\*\* 2024-05-01 03:00:05 UTC/);
});

test('escapeMarkdown makes text inert', () => {
	assert.equal(escapeMarkdown('a|b `c` *d* [e](f) <g> __h__ first_seen #1 ~x~ & \\'), 'a\\|b \\`c\\` \\*d\\* \\[e\\](f) \\<g\\> \\_\\_h\\_\\_ first_seen \\#1 \\~x\\~ &amp; \\\\');
});
