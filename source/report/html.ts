import type {Row} from '../engine/types.ts';
import {formatDuration} from '../text/duration.ts';
import type {JsonReport, JsonStep} from './json.ts';
import {escapeHtml} from './escape-html.ts';
import {histogramSvg} from './svg-histogram.ts';
import {watchHtml} from './watch-sections.ts';
import {throughPooler} from '../engine/pooler.ts';
import {
	actionSymbol,
	elapsedMs,
	findingSummary,
	fixChoice,
	formatTime,
	formatValue,
	hasChart,
	sessionLines,
	severitySymbol,
	stepSymbol,
	stepTiming,
	tableColumns,
	targetLabel,
	timelineClock,
	timelineMarkSymbol,
	verdictMeaning,
	verdictSymbol,
	verificationVerdict,
} from './format.ts';
import {rowsToShow} from './rows.ts';

/* The post-mortem report: one self-contained file (inline CSS, no scripts,
 * nothing fetched), readable on screen and on paper. It opens with the
 * summary for the incident channel, then who ran the session and where, the
 * causes, the fix and the incident's timeline; the evidence follows step by
 * step with each table cut to the rows that carry a finding — the rest, and
 * the SQL, folded away in <details>. Severity is shown by colour and by
 * symbol, so a black-and-white printout loses nothing; colours keep a
 * contrast of 4.5:1 or more. */

const style = `
:root{--ok:#1a7f37;--ok-bg:#dafbe1;--warning:#7d4e00;--warning-bg:#fff8c5;--critical:#c11b27;--critical-bg:#ffebe9;--info:#0757ba;--info-bg:#ddf4ff;--muted:#555d66;--line:#d0d7de;--unknown:#555d66;--unknown-bg:#eaeef2;--code-bg:#f6f8fa}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1f2328;background:#fff;margin:0 auto;max-width:1100px;padding:24px}
h1{font-size:24px;margin:0 0 10px}h2{font-size:20px;border-bottom:1px solid var(--line);padding-bottom:4px;margin-top:28px}h3{font-size:16px;margin:0 0 4px}
code,pre,.mono{font-family:ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:13px}
pre{background:var(--code-bg);border:1px solid var(--line);border-radius:6px;padding:8px 10px;white-space:pre-wrap;word-break:break-word;margin:6px 0}
pre.summary{background:#fff;font-size:14px;line-height:1.55;margin:0}
.verdict{border-radius:8px;padding:16px 20px;border:2px solid;margin-bottom:16px}
.verdict p{margin:8px 0 0}
.v-ok{border-color:var(--ok);background:var(--ok-bg)}.v-warning{border-color:var(--warning);background:var(--warning-bg)}
.v-critical{border-color:var(--critical);background:var(--critical-bg)}.v-unknown{border-color:var(--unknown);background:var(--unknown-bg)}
.sym{font-weight:bold;display:inline-block;min-width:1.2em;text-align:center}
.ok{color:var(--ok)}.warning{color:var(--warning)}.critical,.error{color:var(--critical)}.info{color:var(--info)}.skipped,.manual,.muted{color:var(--muted)}
.banner{border-left:4px solid var(--warning);background:var(--warning-bg);padding:8px 12px;margin:12px 0}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0}
dl.facts dt{font-weight:600;color:var(--muted)}dl.facts dd{margin:0}
table{border-collapse:collapse;margin:8px 0;font-size:13px}
th,td{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
th{background:var(--code-bg)}
.scroll{overflow-x:auto;max-width:100%}
td.mono{overflow-wrap:break-word;max-width:46em}td.num{white-space:nowrap}
p.same{margin:6px 0;font-size:13px}
ol.causes{padding-left:22px}ol.causes>li{margin-bottom:10px}
.likely{color:var(--critical);font-weight:600}.possible{color:var(--warning);font-weight:600}.unlikely{color:var(--muted)}
.score{display:inline-block;width:90px;height:8px;background:var(--line);border-radius:4px;vertical-align:middle;margin:0 6px;overflow:hidden}
.score span{display:block;height:100%;background:currentColor}
ol.timeline{list-style:none;padding-left:0;margin:8px 0}
ol.timeline li{display:grid;grid-template-columns:10.5em 1.4em 1fr;gap:0 6px;padding:2px 0;border-bottom:1px solid #eef1f4}
ol.timeline time{white-space:nowrap;font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:13px;color:var(--muted)}
ol.timeline .who{color:var(--muted)}
.step{border:1px solid var(--line);border-left:6px solid var(--line);border-radius:6px;padding:10px 14px;margin:12px 0}
.step.s-ok{border-left-color:var(--ok)}.step.s-warning{border-left-color:var(--warning)}.step.s-critical,.step.s-error{border-left-color:var(--critical)}
.step .meta{color:var(--muted);font-size:13px}
.figures{margin:4px 0}
ul.findings{list-style:none;padding-left:0;margin:6px 0}ul.findings li{padding:2px 6px;border-radius:4px;margin:2px 0}
li.f-critical{background:var(--critical-bg)}li.f-warning{background:var(--warning-bg)}li.f-info{background:var(--info-bg)}
ul.todo{margin:6px 0;padding-left:22px}
.note{border-left:4px solid var(--info);background:var(--info-bg);padding:6px 10px;margin:6px 0}
details{margin:6px 0}details>summary{cursor:pointer;color:var(--muted);font-size:13px}
svg.histogram{display:block;max-width:100%;height:auto;margin:6px 0}
svg.histogram .bars{fill:var(--critical)}svg.histogram .axis{stroke:var(--muted)}svg.histogram text{font-size:10px;fill:var(--muted)}
figure.watched{margin:14px 0}svg.series{display:block;max-width:100%;height:auto;margin:4px 0}
svg.series .line{fill:none;stroke:var(--info);stroke-width:1.5}svg.series .axis{stroke:var(--muted)}svg.series text{font-size:10px;fill:var(--muted)}
svg.series .limit{stroke-dasharray:4 3;stroke-width:1}svg.series .limit.warning{stroke:var(--warning)}svg.series .limit.critical{stroke:var(--critical)}
svg.series circle.warning{fill:var(--warning)}svg.series circle.critical{fill:var(--critical)}svg.series .moment line{stroke:#1f2328;stroke-width:1.5}svg.series .moment text{fill:#1f2328;font-weight:600}
footer{margin-top:32px;color:var(--muted);font-size:13px}
@media print{
body{max-width:none;padding:0;font-size:10.5pt}
h2,h3,.meta{break-after:avoid}
tr,ul.findings li,ol.timeline li,pre.summary{break-inside:avoid}
.scroll{overflow:visible}
table{font-size:8.5pt;width:100%}th,td{padding:2px 4px}
details>summary{color:var(--muted)}
.verdict,.banner,li.f-critical,li.f-warning,li.f-info,.note{-webkit-print-color-adjust:exact;print-color-adjust:exact}
a{color:inherit;text-decoration:none}
}`;

const h = escapeHtml;

/** A severity symbol: seen, not read aloud (the word beside it says the same). */
function sym(cls: string, symbol: string): string {
	return `<span class="sym ${cls}" aria-hidden="true">${symbol}</span>`;
}

function dl(facts: [string, string][]): string {
	return `<dl class="facts">${facts.map(([k, v]) => `<dt>${h(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

function header(report: JsonReport): string {
	const {verdict} = report;
	const banner = report.finished
		? ''
		: `<div class="banner" role="note">${sym('warning', '⚠')} <strong>Interrupted session:</strong> the run did not finish. Steps marked “not run yet” were never run; re-run or resume before trusting an absence of findings.</div>`;
	return [
		`<header class="verdict v-${verdict}"><h1>${sym(verdict, verdictSymbol[verdict])} ${h(verdict.toUpperCase())} — ${h(report.runbook.title)}</h1>`,
		// The summary as it goes to the incident channel: plain lines, copied as they are.
		`<pre class="summary" aria-label="Summary for the incident channel">${h(report.summary.join('\n'))}</pre>`,
		`<p>${h(verdictMeaning[verdict])} (${h(findingSummary(report.steps))}).</p></header>`,
		banner,
	].join('\n');
}

function whoAndWhere(report: JsonReport): string {
	const {target} = report;
	const duration = elapsedMs(report.startedAt, report.finishedAt);
	return `<section><h2>Who and where</h2>${dl([
		['Target', target ? `<span class="mono">${h(`${target.user}@${target.host}:${target.port}/${target.database}`)}</span> — PostgreSQL ${h(`${target.serverVersion ?? 'not reached'}${throughPooler(target.pooler)}`)}` : 'not recorded'],
		...sessionLines(report).map(([k, v]): [string, string] => [k, h(v)]),
		['Started', h(report.startedAt ? formatTime(report.startedAt) : 'not recorded')],
		[report.finished ? 'Finished' : 'Last recorded', h(report.finishedAt ? `${formatTime(report.finishedAt)}${duration === undefined ? '' : ` (${formatDuration(duration)})`}` : '—')],
		['Runbook', `${h(`${report.runbook.id} v${report.runbook.version}`)} <span class="mono">${h(report.runbook.path)}</span>`],
	])}</section>`;
}

function causes(report: JsonReport): string {
	const weighed = report.causes.filter(c => c.likelihood !== 'unlikely' || c.evidence.length > 0);
	const unlikely = report.causes.filter(c => !weighed.includes(c));
	const items = weighed.map(c => {
		const evidence = c.evidence.length > 0 ? `<ul>${c.evidence.map(e => `<li>${h(e)}</li>`).join('')}</ul>` : '';
		return `<li><strong>${h(c.title)}</strong> — <span class="${c.likelihood}">${c.likelihood}</span><span class="score ${c.likelihood}" aria-hidden="true"><span style="width:${Math.round(c.score * 100)}%"></span></span><span class="mono">score ${c.score.toFixed(2)}</span><div class="muted">${h(c.symptom)}</div>${evidence}</li>`;
	});
	const list = items.length > 0 ? `<ol class="causes">${items.join('')}</ol>` : '';
	const rest = unlikely.length > 0 ? `<p class="muted">No evidence for: ${h(unlikely.map(c => c.title).join(', '))}.</p>` : '';
	return `<section><h2>Causes, most likely first</h2>${list}${rest}</section>`;
}

function fix(report: JsonReport): string {
	const f = report.fix;
	if (!f) {
		const next = report.elsewhere ? `<p><strong>Where to look next:</strong> ${h(report.elsewhere)}</p>` : '';
		return `<section><h2>Fix</h2><p>No cause is likely enough to recommend a fix; see the findings below.</p>${next}</section>`;
	}
	const commands = f.commands.map(c => `<h3>${h(c.title)}</h3><pre>${h(c.run)}</pre>`).join('');
	return `<section><h2>Fix: ${h(f.title)} <span class="muted">(${h(fixChoice(f))})</span></h2><p>${h(f.summary)}</p><ol>${f.actions.map(a => `<li>${h(a)}</li>`).join('')}</ol>${commands}</section>`;
}

const actionClass = {done: 'ok', failed: 'critical', refused: 'skipped', skipped: 'warning'} as const;

/** What was done to the database, target by target: the exact SQL, who confirmed it, what came of it. */
function actions(report: JsonReport): string {
	if (report.actions.length === 0) return '';
	const items = report.actions.map(
		a =>
			`<li>${sym(actionClass[a.status], actionSymbol[a.status])} <strong>${h(a.status)}</strong> — ${h(a.title)} — ${h(targetLabel(a.target))}<div class="muted">answered by ${h(a.operator)} at ${h(formatTime(a.confirmedAt))}</div><pre>${h(a.sql)}</pre><div>${h(a.result)}${a.error ? ` <span class="error">${h(a.error)}</span>` : ''}</div></li>`,
	);
	return `<section><h2>Actions</h2><ul class="actions">${items.join('')}</ul></section>`;
}

/** The chosen cause's evidence looked at again after the action: before → after, figure by figure. */
function verification(report: JsonReport): string {
	const v = report.verification;
	if (!v) return '';
	const value = (x: Row[string], severity: string | null, unseen = '') =>
		`<td class="mono">${severity ? `${sym(severity, severitySymbol[severity as 'warning'])} ` : ''}${h(x === null && unseen ? unseen : formatValue(x))}</td>`;
	// A step the diagnosis could not look at (a branch went past it, the connection was refused) was not seen then.
	const rows = v.figures.map(f => `<tr><td>${h(f.name)}</td><td class="mono">${h(f.stepId)}</td>${value(f.before, f.severityBefore, 'not seen')}${value(f.after, f.severityAfter)}</tr>`).join('');
	const table = v.figures.length > 0 ? `<div class="scroll" tabindex="0" role="region" aria-label="Verification figures"><table><thead><tr><th scope="col">figure</th><th scope="col">step</th><th scope="col">at diagnosis</th><th scope="col">now</th></tr></thead><tbody>${rows}</tbody></table></div>` : '';
	const notes = v.notes.map(n => `<p class="muted"><em>${h(n)}</em></p>`).join('');
	const headline = `<p>${sym(v.cleared ? 'ok' : 'critical', v.cleared ? '✔' : '✖')} <strong>${h(verificationVerdict(v))}</strong> <span class="muted">(${h(formatTime(v.at))}${v.count > 1 ? `, verification ${v.count}` : ''})</span></p>`;
	return `<section><h2>Verification</h2>${headline}${table}${notes}</section>`;
}

function timeline(report: JsonReport): string {
	const clock = timelineClock();
	const items = report.timeline.map(t => {
		const who = t.operator && t.kind !== 'session' ? ` <span class="who">(${h(t.operator)})</span>` : '';
		const mark = t.mark === null ? '<span></span>' : sym(t.mark, timelineMarkSymbol(t.mark).trim());
		return `<li><time datetime="${h(t.at)}">${h(clock(t.at))}</time>${mark}<span>${h(t.event)}${who}</span></li>`;
	});
	return `<section><h2>Timeline <span class="muted">(UTC)</span></h2><ol class="timeline">${items.join('')}</ol></section>`;
}

/** A value's cell; a number never breaks across lines (a pid cut in two reads as two pids). */
function valueCell(value: Row[string] | undefined): string {
	const text = value === undefined ? '' : formatValue(value);
	const numeric = typeof value === 'number' || (typeof value === 'string' && /^-?\d+(?:\.\d+)?$/.test(value));
	return `<td class="mono${numeric ? ' num' : ''}">${h(text)}</td>`;
}

/** A table that may scroll sideways: a keyboard can reach it (tabindex) and a screen reader names it. */
function rowsTable(columns: string[], rows: Row[], label: string): string {
	const body = rows.map(row => `<tr>${columns.map(c => valueCell(row[c])).join('')}</tr>`).join('');
	// A long column name may break after its underscores, nowhere else.
	const head = columns.map(c => `<th scope="col">${h(c).replaceAll('_', '_<wbr>')}</th>`).join('');
	return `<div class="scroll" tabindex="0" role="region" aria-label="${h(label)}"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

/** The rows that carry the findings; the rest folded, counted; what the report did not keep, counted. */
function results(step: JsonStep): string {
	const shown = rowsToShow(step);
	if (step.rows.length === 0) return '';
	const same = shown.same.length > 0 ? `<p class="same">In every row shown: ${shown.same.map(([c, v]) => `<code>${h(c)}</code> <span class="mono">${h(formatValue(v))}</span>`).join('; ')}</p>` : '';
	const table = same + (shown.rows.length > 0 ? rowsTable(shown.columns, shown.rows, `Results of ${step.title}`) : '');
	const folded =
		shown.folded.length > 0
			? `<details><summary>${h(shown.rest)}</summary>${rowsTable(tableColumns(step), shown.folded, `${step.title}: ${shown.rest}`)}</details>`
			: shown.rest
				? `<p class="muted">${h(shown.rest)}</p>`
				: '';
	return table + folded;
}

function step(s: JsonStep, index: number): string {
	const meta = [stepTiming(s), s.startedAt ? formatTime(s.startedAt) : ''].filter(Boolean).join(' · ');
	const parts = [
		`<article class="step s-${s.status}" id="step-${h(s.id)}">`,
		`<h3>${sym(s.status === 'manual' && s.done ? 'ok' : s.status, stepSymbol(s))} ${index + 1}. ${h(s.title)} <code>${h(s.id)}</code></h3>`,
		`<div class="meta">${h(meta)}</div>`,
	];
	if (s.reason) parts.push(`<p class="muted"><em>${h(s.reason)}</em></p>`);
	if (s.error)
		parts.push(
			`<p class="error"><strong>Error:</strong> ${h(s.error.message)}${s.error.sqlstate ? ` (SQLSTATE ${h(s.error.sqlstate)})` : ''}</p>`,
			s.error.hint ? `<p><strong>What to do:</strong> ${h(s.error.hint)}</p>` : '',
		);
	if (s.brief) parts.push(`<p class="figures"><strong>Figures:</strong> ${h(s.brief)}</p>`);
	if (s.findings.length > 0)
		parts.push(`<ul class="findings">${s.findings.map(f => `<li class="f-${f.severity}">${sym(f.severity, severitySymbol[f.severity])} <strong>${f.severity}</strong>: ${h(f.message)}</li>`).join('')}</ul>`);
	if (s.instructions.length > 0) parts.push(`<ul class="todo">${s.instructions.map(i => `<li>${h(i)}</li>`).join('')}</ul>`);
	for (const c of s.commands) parts.push(`<p><strong>${h(c.title)}</strong></p><pre>${h(c.run)}</pre>`);
	if (s.note) parts.push(`<div class="note"><strong>Operator’s note:</strong> ${h(s.note)}</div>`);
	if (s.histogram && hasChart(s.histogram)) parts.push(histogramSvg(s.histogram, s.title));
	parts.push(results(s));
	if (s.query) parts.push(`<details><summary>SQL</summary><pre>${h(s.query)}</pre></details>`);
	parts.push('</article>');
	return parts.join('\n');
}

function exports(report: JsonReport): string {
	if (report.exports.length === 0) return '';
	return `<section><h2>Exported reports</h2><ul>${report.exports.map(e => `<li>${h(e.format)}: <span class="mono">${h(e.path)}</span> (${h(formatTime(e.at))})</li>`).join('')}</ul></section>`;
}

export function renderHtml(report: JsonReport): string {
	const title = `${verdictSymbol[report.verdict]} ${report.verdict.toUpperCase()} — ${report.runbook.title}`;
	return [
		'<!doctype html>',
		'<html lang="en">',
		'<head>',
		'<meta charset="utf-8">',
		'<meta name="viewport" content="width=device-width, initial-scale=1">',
		// Nothing may be fetched: the report is opened offline and attached to tickets.
		`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
		`<title>${h(title)}</title>`,
		`<style>${style}</style>`,
		'</head>',
		'<body>',
		'<main>',
		header(report),
		whoAndWhere(report),
		causes(report),
		fix(report),
		actions(report),
		verification(report),
		timeline(report),
		watchHtml(report.watch),
		`<section><h2>Steps</h2>${report.steps.map(step).join('\n')}</section>`,
		exports(report),
		'</main>',
		`<footer>Generated by ${h(`${report.tool.name} ${report.tool.version}`)} with runbook ${h(`${report.runbook.id} v${report.runbook.version}`)}.</footer>`,
		'</body>',
		'</html>',
		'',
	]
		.filter(Boolean)
		.join('\n');
}
