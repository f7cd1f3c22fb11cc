import {test} from 'node:test';
import assert from 'node:assert/strict';
import {execFileSync, spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {renderReport} from '../../source/report/render.ts';
import {writeFileAtomic} from '../../source/report/write-file-atomic.ts';
import {escapeHtml} from '../../source/report/escape-html.ts';
import {interruptedEvents, poolExhaustionEvents, replay, secret} from './fixtures.ts';

test('html: self-contained, no script, nothing loaded from elsewhere, print styles', () => {
	const html = renderReport(replay(poolExhaustionEvents()), 'html');
	assert.match(html, /^<!doctype html>/);
	assert.match(html, /<style>[\s\S]*@media print\{/);
	assert.ok(!/<script/i.test(html), 'no script element');
	assert.ok(!/\b(?:src|href)\s*=/i.test(html), 'no src or href at all');
	assert.ok(!/url\(|@import/i.test(html), 'no CSS fetch');
	assert.ok(!html.includes(secret));
});

test('html: verdict, causes, fix, steps with severity class and symbol, escaped untrusted text', () => {
	const html = renderReport(replay(poolExhaustionEvents()), 'html');
	assert.match(html, /<header class="verdict v-critical"><h1><span class="sym critical">✖<\/span> CRITICAL — Small 500 runbook<\/h1>/);
	assert.match(html, /<strong>Connection pool exhaustion<\/strong> — <span class="likely">likely<\/span>/);
	assert.match(html, /Fix: Free the pool <span class="muted">\(chosen by the operator\)<\/span>/);
	assert.match(html, /<article class="step s-critical" id="step-server-logs">/);
	assert.match(html, /<span class="sym ok">✔<\/span> 2\. Reach PostgreSQL/);
	assert.match(html, /<li class="f-warning"><span class="sym warning">⚠<\/span>/);
	// The operator's note and the log sample hold markup: shown as text.
	assert.ok(html.includes('&#60;script&#62;alert(1)&#60;/script&#62;'));
	assert.ok(html.includes('&#60;b&#62;`x`&#60;/b&#62;'));
	assert.ok(html.includes('<pre class="query">SELECT count(*) FROM pg_stat_activity WHERE state = &#39;idle in transaction&#39; AND pid &#60;&#62; 12345</pre>'));
	assert.match(html, /<td class="mono">app<\/td>/);
	assert.match(html, /Exported reports/);
});

test('html: the log histogram is an inline SVG bar chart, one bar per minute', () => {
	const html = renderReport(replay(poolExhaustionEvents()), 'html');
	const svg = /<svg class="histogram"[\s\S]*?<\/svg>/.exec(html)?.[0];
	assert.ok(svg, 'an svg');
	assert.equal(svg.match(/<rect /g)?.length, 10);
	assert.match(svg, /<title>Read the server log: 240 matching lines, at most 80 per 1 min<\/title>/);
	assert.match(svg, /<title>2024-05-01 02:56:00 UTC: 80<\/title>/);
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

function chromiumBinary(): string | undefined {
	for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
		if (spawnSync('sh', ['-c', `command -v ${name}`]).status === 0) return name;
	}
	return undefined;
}

const chromium = chromiumBinary();

function chromiumArgs(profile: string): string[] {
	return ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`];
}

test('html renders in headless Chromium: the page shows the verdict and the top cause', {skip: chromium ? false : 'no chromium binary (apt-get install -y chromium)', timeout: 120_000}, () => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pg500-html-'));
	try {
		const file = path.join(dir, 'report.html');
		writeFileAtomic(file, renderReport(replay(poolExhaustionEvents()), 'html'));
		const dom = execFileSync(chromium!, [...chromiumArgs(path.join(dir, 'profile-dom')), '--dump-dom', file], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000});
		assert.match(dom, /✖<\/span> CRITICAL — Small 500 runbook/);
		assert.match(dom, /<strong>Connection pool exhaustion<\/strong> — <span class="likely">likely<\/span>/);
		assert.ok(!dom.includes('<script>alert(1)'), 'the note stayed text');

		const png = process.env['PG500_REPORT_PNG'] ?? path.join(dir, 'report.png');
		execFileSync(chromium!, [...chromiumArgs(path.join(dir, 'profile-png')), `--screenshot=${png}`, '--window-size=1000,1400', file], {stdio: 'ignore', timeout: 60_000});
		const bytes = readFileSync(png);
		assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG');
		// IHDR: the size asked for; a blank page compresses to a few kB, the report does not.
		assert.equal(bytes.readUInt32BE(16), 1000);
		assert.equal(bytes.readUInt32BE(20), 1400);
		assert.ok(statSync(png).size > 30_000, `the screenshot has content (${statSync(png).size} bytes)`);
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
});
