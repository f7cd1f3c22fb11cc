import {test} from 'node:test';
import assert from 'node:assert/strict';
import {mkdtempSync, rmSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {renderReport} from '../../source/report/render.ts';
import {writeFileAtomic} from '../../source/report/write-file-atomic.ts';
import {escapeHtml} from '../../source/report/escape-html.ts';
import {axeViolations, chromiumSkip, dumpDom, pngSize, screenshot} from '../support/chromium.ts';
import {at, interruptedEvents, poolExhaustionEvents, replay, secret} from './fixtures.ts';
import type {RunEvent} from '../../source/engine/types.ts';

test('html: self-contained, no script, nothing loaded from elsewhere, print styles, a language', () => {
	const html = renderReport(replay(poolExhaustionEvents()), 'html');
	assert.match(html, /^<!doctype html>\n<html lang="en">/);
	assert.match(html, /<style>[\s\S]*@media print\{/);
	assert.ok(!/<script/i.test(html), 'no script element');
	assert.ok(!/\b(?:src|href)\s*=/i.test(html), 'no src or href at all');
	assert.ok(!/url\(|@import/i.test(html), 'no CSS fetch');
	assert.ok(!html.includes(secret));
});

test('html: the summary first, in the verdict box, then who and where, causes, fix, timeline, steps', () => {
	const html = renderReport(replay(poolExhaustionEvents()), 'html');
	assert.match(html, /<header class="verdict v-critical"><h1><span class="sym critical" aria-hidden="true">✖<\/span> CRITICAL — Small 500 runbook<\/h1>\n<pre class="summary" aria-label="Summary for the incident channel">CRITICAL: Connection pool exhaustion \(likely\)/);
	const order = ['<pre class="summary"', '<h2>Who and where</h2>', '<h2>Causes, most likely first</h2>', '<h2>Fix: Free the pool', '<h2>Timeline', '<h2>Steps</h2>'].map(s => html.indexOf(s));
	assert.ok(!order.includes(-1), String(order));
	assert.deepEqual([...order].sort((a, b) => a - b), order);
	assert.match(html, /<strong>Connection pool exhaustion<\/strong> — <span class="likely">likely<\/span>/);
	assert.match(html, /<p class="muted">No evidence for: Connection failure\.<\/p>/);
	assert.match(html, /<dt>Run by<\/dt><dd>an operator pg500 did not record with pg500 1\.2\.3, 03:00:00–03:00:51 UTC<\/dd>/);
	assert.match(html, /<li><time datetime="2024-05-01T02:50:00\.000Z">2024-05-01 02:50:00<\/time><span class="sym critical" aria-hidden="true">✖<\/span><span>Read the server log: first pool-timeout error \(240 in all, 24\/min\)<\/span><\/li>/);
});

test('html: steps — the rows that carry a finding, the rest and the SQL folded in <details>, untrusted text escaped', () => {
	const html = renderReport(replay(poolExhaustionEvents()), 'html');
	assert.match(html, /<article class="step s-critical" id="step-server-logs">/);
	assert.match(html, /<li class="f-warning"><span class="sym warning" aria-hidden="true">⚠<\/span>/);
	// The note and the log sample hold markup: shown as text.
	assert.ok(html.includes('&#60;script&#62;alert(1)&#60;/script&#62;'));
	assert.ok(html.includes('&#60;b&#62;`x`&#60;/b&#62;'));
	assert.ok(
		html.includes('<details><summary>SQL</summary><pre>SELECT count(*) FROM pg_stat_activity WHERE state = &#39;idle in transaction&#39; AND pid &#60;&#62; 12345</pre></details>'),
		'the SQL, folded',
	);
	const leaked = /<article class="step s-warning" id="step-fix-pool\/leaked-sessions">[\s\S]*?<\/article>/.exec(html)![0];
	assert.equal((/<table>[\s\S]*?<\/table>/.exec(leaked)![0].match(/<tr>/g) ?? []).length, 6, 'a header and the five rows that made findings');
	assert.match(leaked, /<p class="same">In every row shown: <code>query<\/code>/);
	assert.match(leaked, /<details><summary>45 more rows; 10 beyond the 50 kept<\/summary><div class="scroll" tabindex="0" role="region" aria-label="Sessions idle in transaction: 45 more rows; 10 beyond the 50 kept"><table>/);
	// A ticked manual step is done, its instructions a plain list.
	assert.match(html, /<span class="sym ok" aria-hidden="true">☑<\/span> 4\. Tell the team[\s\S]*?done by hand[\s\S]*?<ul class="todo"><li>post the report<\/li><\/ul>/);
	assert.match(html, /<td class="mono num">97<\/td>/);
	assert.match(html, /Exported reports/);
});

test('html: the log histogram is an inline SVG bar chart, one bar per minute; none for a line or two', () => {
	const html = renderReport(replay(poolExhaustionEvents()), 'html');
	const svg = /<svg class="histogram"[\s\S]*?<\/svg>/.exec(html)?.[0];
	assert.ok(svg, 'an svg');
	assert.equal(svg.match(/<rect /g)?.length, 10);
	assert.match(svg, /<title>Read the server log: 240 matching lines, at most 80 per 1 min<\/title>/);
	assert.match(svg, /<title>2024-05-01 02:56:00 UTC: 80<\/title>/);
	// A journal from an older pg500 may hold a histogram of two lines: no chart is drawn for it.
	const events = poolExhaustionEvents().map((e): RunEvent =>
		e.type === 'step-finished' && e.stepId === 'server-logs' ? {...e, outcome: {...e.outcome, histogram: {start: at(-600), bucketSeconds: 60, counts: [1, 0, 0, 1]}}} : e,
	);
	const sparse = renderReport(replay(events), 'html');
	assert.ok(!sparse.includes('<svg'), 'no chart without data');
	assert.ok(!renderReport(replay(events), 'markdown').includes('Over time'));
});

test('html of an interrupted session carries the banner and the unknown-so-far statuses', () => {
	const html = renderReport(replay(interruptedEvents()), 'html');
	assert.match(html, /Interrupted session:/);
	assert.match(html, /<article class="step s-skipped" id="step-next-steps">/);
	assert.match(html, /not run yet: the session stopped before this step/);
});

test('escapeHtml covers text and attribute contexts', () => {
	assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;&#38;&#60;/a&#62;');
});

test('html in headless Chromium: the page shows the summary, a 1280 px screenshot has content, axe finds nothing', {skip: chromiumSkip, timeout: 180_000}, () => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pg500-html-'));
	try {
		const file = path.join(dir, 'report.html');
		const html = renderReport(replay(poolExhaustionEvents()), 'html');
		writeFileAtomic(file, html);
		const dom = dumpDom(file);
		assert.match(dom, /✖<\/span> CRITICAL — Small 500 runbook/);
		assert.match(dom, /<pre class="summary"[^>]*>CRITICAL: Connection pool exhaustion/);
		assert.ok(!dom.includes('<script>alert(1)'), 'the note stayed text');

		const png = path.join(dir, 'report.png');
		screenshot(file, png, 1280, 1600);
		assert.deepEqual(pngSize(png), {width: 1280, height: 1600});
		// A blank page compresses to a few kB; the report does not.
		assert.ok(statSync(png).size > 30_000, `the screenshot has content (${statSync(png).size} bytes)`);

		assert.deepEqual(axeViolations(html), [], 'contrast, headings, lang, names: WCAG 2.1 AA and best practice');
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
});

test('the accessibility check fails a page that breaks the rules (it can fail)', {skip: chromiumSkip, timeout: 120_000}, () => {
	const html = renderReport(replay(poolExhaustionEvents()), 'html').replace('<html lang="en">', '<html>').replace('--muted:#555d66', '--muted:#bbbbbb');
	const ids = axeViolations(html).map(v => v.id);
	assert.ok(ids.includes('html-has-lang') && ids.includes('color-contrast'), ids.join(', '));
});
