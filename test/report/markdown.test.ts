import {test} from 'node:test';
import assert from 'node:assert/strict';
import {escapeMarkdown} from '../../source/report/markdown.ts';
import {renderReport} from '../../source/report/render.ts';
import {interruptedEvents, poolExhaustionEvents, replay} from './fixtures.ts';

test('markdown: verdict first, ranked causes with evidence, the chosen fix with its actions and commands', () => {
	const md = renderReport(replay(poolExhaustionEvents()), 'markdown');
	const lines = md.split('\n');
	assert.equal(lines[0], '# ✖ CRITICAL — Small 500 runbook');
	assert.match(md, /\*\*Verdict: ✖ critical\*\* — at least one critical finding \(2 critical, 6 warnings\)/);
	assert.match(md, /1\. \*\*Connection pool exhaustion\*\* — likely \(score 0\.96\)\n {3}- server-logs: 240 pool errors/);
	assert.match(md, /2\. \*\*Connection failure\*\* — unlikely \(score 0\.00\)\n {3}- no evidence found/);
	assert.match(md, /## Fix: Free the pool \(chosen by the operator\)/);
	assert.match(md, /1\. Find the leak\n2\. Set idle_in_transaction_session_timeout = '60s'/);
	// The command holds a backtick: the fence is longer than any run inside.
	assert.match(md, /```sh\npsql -c 'SELECT pg_terminate_backend\(pid\)' # `careful`\n```/);
	assert.ok(md.indexOf('## Causes') < md.indexOf('## Fix') && md.indexOf('## Fix') < md.indexOf('## Steps'));
});

test('markdown: steps with symbols, findings, escaped result tables, notes, timeline, target without password, versions, exports', () => {
	const md = renderReport(replay(poolExhaustionEvents()), 'markdown');
	assert.match(md, /### ✖ 1\. Read the server log \(`server-logs`\) — critical, 850 ms/);
	assert.match(md, /### ✔ 2\. Reach PostgreSQL \(`connect`\) — ok, 40 ms/);
	assert.match(md, /### ☑ 4\. Tell the team/);
	// The log step's histogram as a sparkline, its span and its peak per bucket.
	assert.match(md, /\n\*\*Over time:\*\* `▁▂▂▁▃▅█▆▄▃` 02:50–03:00 UTC, peak 80\/1 min\n/);
	assert.match(md, /### ⚠ 5\. Sessions idle in transaction \(`fix-pool\/leaked-sessions`\)/);
	// A title with a pipe does not break the heading; a value with | < ` does not break the table.
	assert.match(md, /### ✖ 3\. Connections \\\| slots/);
	const sampleRow = md.split('\n').find(l => l.startsWith('| pool-timeout |'))!;
	assert.match(sampleRow, /denokv \\\| \\<b\\>\\`x\\`\\<\/b\\> \| ∅ \|$/);
	assert.equal(sampleRow.split(/(?<!\\)\|/).length - 2, 8, 'eight cells, as many as columns');
	assert.match(md, /_50 more rows not shown/);
	assert.match(md, /> \*\*Operator's note:\*\* restarted worker 3 \\\| see \\\*INC-42\\\* \\<script\\>/);
	assert.match(md, /## Operator's notes\n\n- \*\*Connections \\\| slots\*\*: restarted worker 3/);
	assert.match(md, /\| 2024-05-01 03:00:06 UTC \| \+6\.0 s \| finished connections: critical in 12 ms \|/);
	assert.match(md, /\| \*\*Target\*\* \| app@db\.internal:5432\/denokv — PostgreSQL 16\.4 \|/);
	assert.match(md, /\| \*\*Finished\*\* \| 2024-05-01 03:00:51 UTC \(51\.0 s\) \|/);
	assert.match(md, /\| \*\*Tool\*\* \| pg500 1\.2\.3 \|/);
	assert.match(md, /\| \*\*Runbook\*\* \| small-500 v3 \(runbooks\/small-500\.yaml\) \|/);
	assert.match(md, /## Exported reports\n\n- markdown: \/tmp\/incident-42\.md \(2024-05-01 03:00:50 UTC\)/);
	assert.ok(!md.includes('<script>'), 'no live HTML');
});

test('markdown of an interrupted session says so and marks what did not run', () => {
	const md = renderReport(replay(interruptedEvents()), 'markdown');
	assert.match(md, /> ⚠ \*\*Interrupted session:\*\* the run did not finish/);
	assert.match(md, /### ✖ 3\. Connections \\\| slots \(`connections`\) — error\n\n_interrupted: the session stopped while this step was running/);
	assert.match(md, /### – 4\. Tell the team \(`next-steps`\) — skipped\n\n_not run yet: the session stopped before this step_/);
	assert.match(md, /## Fix: Free the pool \(recommended, not chosen yet\)/);
	assert.match(md, /\| \*\*Last recorded\*\* \| 2024-05-01 03:00:05 UTC/);
});

test('escapeMarkdown makes text inert', () => {
	assert.equal(escapeMarkdown('a|b `c` *d* [e](f) <g> __h__ first_seen #1 ~x~ & \\'), 'a\\|b \\`c\\` \\*d\\* \\[e\\](f) \\<g\\> \\_\\_h\\_\\_ first_seen \\#1 \\~x\\~ &amp; \\\\');
});
