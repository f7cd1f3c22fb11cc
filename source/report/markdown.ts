import type {Row} from '../engine/types.ts';
import {formatDuration} from '../text/duration.ts';
import {truncate} from '../text/escape.ts';
import {sparkline} from '../text/sparkline.ts';
import type {JsonReport, JsonStep} from './json.ts';
import {watchMarkdown} from './watch-sections.ts';
import {throughPooler} from '../engine/pooler.ts';
import {
	actionSymbol,
	elapsedMs,
	findingSummary,
	fixChoice,
	formatTime,
	formatValue,
	severitySymbol,
	stepSymbol,
	tableColumns,
	targetLabel,
	verdictMeaning,
	verificationVerdict,
	verdictSymbol,
} from './format.ts';

/* The report for a ticket or the incident channel: the verdict first, then
 * the causes and the fix, then the evidence step by step. */

const maxTableRows = 10;
/** Columns for a log step's sparkline: a ticket or chat message wraps longer lines. */
const sparklineWidth = 100;
const maxCellLength = 120;

/**
 * Makes text inert in Markdown: no emphasis, links, HTML or table breaks.
 * Intraword underscores (first_seen) stay as they are: they never emphasise.
 */
export function escapeMarkdown(text: string): string {
	return text.replace(/[\\`*[\]<>|~#]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, ch => `\\${ch}`).replace(/&/g, '&amp;');
}

/** A fenced block whose fence is longer than any backtick run inside (commands are runbook text). */
function codeBlock(text: string, language = ''): string {
	const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map(m => m[0].length));
	const fence = '`'.repeat(longest + 1);
	return `${fence}${language}\n${text}\n${fence}`;
}

function cell(text: string): string {
	return escapeMarkdown(truncate(text, maxCellLength));
}

function table(header: string[], rows: string[][]): string {
	return [
		`| ${header.join(' | ')} |`,
		`| ${header.map(() => '---').join(' | ')} |`,
		...rows.map(r => `| ${r.join(' | ')} |`),
	].join('\n');
}

function resultsTable(step: JsonStep): string {
	const columns = tableColumns(step);
	if (step.rows.length === 0 || columns.length === 0) return '';
	const shown = step.rows.slice(0, maxTableRows);
	const body = shown.map((row: Row) => columns.map(c => cell(c in row ? formatValue(row[c]!) : '')));
	const more = step.rowCount - shown.length;
	const tail = more > 0 ? `\n\n_${more} more row${more === 1 ? '' : 's'} not shown (the JSON report has up to 50)._` : '';
	return table(columns.map(cell), body) + tail;
}

function header(report: JsonReport): string {
	const {verdict} = report;
	const lines = [
		`# ${verdictSymbol[verdict]} ${verdict.toUpperCase()} — ${escapeMarkdown(report.runbook.title)}`,
		'',
		`**Verdict: ${verdictSymbol[verdict]} ${verdict}** — ${verdictMeaning[verdict]} (${findingSummary(report.steps)}).`,
	];
	if (!report.finished) lines.push('', '> ⚠ **Interrupted session:** the run did not finish. Steps marked "not run yet" were never run; re-run or resume before trusting an absence of findings.');
	const target = report.target;
	const duration = elapsedMs(report.startedAt, report.finishedAt);
	const facts: [string, string][] = [
		[
			'Target',
			target
				? `${escapeMarkdown(`${target.user}@${target.host}:${target.port}/${target.database}`)} — PostgreSQL ${escapeMarkdown(`${target.serverVersion ?? 'not reached'}${throughPooler(target.pooler)}`)}`
				: 'not recorded',
		],
		['Started', report.startedAt ? formatTime(report.startedAt) : 'not recorded'],
		[
			report.finished ? 'Finished' : 'Last recorded',
			report.finishedAt ? `${formatTime(report.finishedAt)}${duration === undefined ? '' : ` (${formatDuration(duration)})`}` : '—',
		],
		['Tool', escapeMarkdown(`${report.tool.name} ${report.tool.version}`)],
		['Runbook', escapeMarkdown(`${report.runbook.id} v${report.runbook.version} (${report.runbook.path})`)],
	];
	lines.push('', table(['', ''], facts.map(([k, v]) => [`**${k}**`, v])));
	return lines.join('\n');
}

function causes(report: JsonReport): string {
	const lines = ['## Causes, most likely first', ''];
	report.causes.forEach((c, i) => {
		lines.push(`${i + 1}. **${escapeMarkdown(c.title)}** — ${c.likelihood} (score ${c.score.toFixed(2)})`);
		for (const e of c.evidence) lines.push(`   - ${escapeMarkdown(e)}`);
		if (c.evidence.length === 0) lines.push('   - no evidence found');
	});
	return lines.join('\n');
}

function fix(report: JsonReport): string {
	const f = report.fix;
	if (!f) {
		const next = report.elsewhere ? `\n\n**Where to look next:** ${escapeMarkdown(report.elsewhere)}` : '';
		return `## Fix\n\nNo cause is likely enough to recommend a fix; see the findings below.${next}`;
	}
	const how = fixChoice(f);
	const lines = [`## Fix: ${escapeMarkdown(f.title)} (${how})`, '', escapeMarkdown(f.summary), ''];
	f.actions.forEach((a, i) => lines.push(`${i + 1}. ${escapeMarkdown(a)}`));
	for (const c of f.commands) lines.push('', `**${escapeMarkdown(c.title)}**`, '', codeBlock(c.run, 'sh'));
	return lines.join('\n');
}

/** What was done to the database, target by target: the exact SQL, who confirmed it, what came of it. */
function actions(report: JsonReport): string {
	if (report.actions.length === 0) return '';
	const lines = ['## Actions', ''];
	for (const a of report.actions) {
		lines.push(`- ${actionSymbol[a.status]} **${a.status}** — ${escapeMarkdown(a.title)} — ${escapeMarkdown(targetLabel(a.target))}; answered by ${escapeMarkdown(a.operator)} at ${formatTime(a.confirmedAt)}`);
		lines.push(`  \`${a.sql.replace(/`/g, "'")}\` → ${escapeMarkdown(a.result)}${a.error ? ` (${escapeMarkdown(a.error)})` : ''}`);
	}
	return lines.join('\n');
}

/** The chosen cause's evidence looked at again after the action: before → after, figure by figure. */
function verification(report: JsonReport): string {
	const v = report.verification;
	if (!v) return '';
	const mark = (value: string, severity: string | null) => (severity ? `${severitySymbol[severity as 'warning']} ${value}` : value);
	const lines = [`## Verification`, '', `**${v.cleared ? '✔' : '✖'} ${escapeMarkdown(verificationVerdict(v))}** (${formatTime(v.at)}${v.count > 1 ? `, verification ${v.count}` : ''}).`];
	if (v.figures.length > 0)
		// A step the diagnosis could not look at (a branch went past it, the connection was refused) was not seen then.
		lines.push('', table(['figure', 'step', 'at diagnosis', 'now'], v.figures.map(f => [cell(f.name), cell(f.stepId), mark(f.before === null ? 'not seen' : cell(formatValue(f.before)), f.severityBefore), mark(cell(formatValue(f.after)), f.severityAfter)])));
	for (const note of v.notes) lines.push('', `_${escapeMarkdown(note)}_`);
	return lines.join('\n');
}

function step(s: JsonStep, index: number): string {
	const timing = [s.status, s.durationMs === null ? '' : formatDuration(s.durationMs)].filter(Boolean).join(', ');
	const lines = [`### ${stepSymbol(s)} ${index + 1}. ${escapeMarkdown(s.title)} (\`${s.id}\`) — ${timing}`];
	if (s.reason) lines.push('', `_${escapeMarkdown(s.reason)}_`);
	if (s.error) {
		lines.push('', `**Error:** ${escapeMarkdown(s.error.message)}${s.error.sqlstate ? ` (SQLSTATE ${escapeMarkdown(s.error.sqlstate)})` : ''}`);
		if (s.error.hint) lines.push('', `**What to do:** ${escapeMarkdown(s.error.hint)}`);
	}
	if (s.findings.length > 0) {
		lines.push('');
		for (const f of s.findings) lines.push(`- ${severitySymbol[f.severity]} **${f.severity}**: ${escapeMarkdown(f.message)}`);
	}
	if (s.instructions.length > 0) {
		lines.push('');
		for (const item of s.instructions) lines.push(`- [${s.done ? 'x' : ' '}] ${escapeMarkdown(item)}`);
	}
	for (const c of s.commands) lines.push('', `**${escapeMarkdown(c.title)}**`, '', codeBlock(c.run, 'sh'));
	if (s.note) lines.push('', `> **Operator's note:** ${escapeMarkdown(s.note)}`);
	if (s.histogram) {
		const spark = sparkline(s.histogram, sparklineWidth, true);
		lines.push('', `**Over time:** \`${spark.bars}\`${spark.tail}`);
	}
	const rows = resultsTable(s);
	if (rows) lines.push('', rows);
	return lines.join('\n');
}

function notes(report: JsonReport): string {
	const noted = report.steps.filter(s => s.note);
	if (noted.length === 0) return '';
	return ['## Operator\'s notes', '', ...noted.map(s => `- **${escapeMarkdown(s.title)}**: ${escapeMarkdown(s.note!)}`)].join('\n');
}

function timeline(report: JsonReport): string {
	const rows = report.timeline.map(t => {
		const offset = elapsedMs(report.startedAt, t.at);
		return [formatTime(t.at), offset === undefined ? '' : `+${formatDuration(offset)}`, cell(t.event)];
	});
	return ['## Timeline', '', table(['time', 'since start', 'event'], rows)].join('\n');
}

function exports(report: JsonReport): string {
	if (report.exports.length === 0) return '';
	return ['## Exported reports', '', ...report.exports.map(e => `- ${escapeMarkdown(e.format)}: ${escapeMarkdown(e.path)} (${formatTime(e.at)})`)].join('\n');
}

export function renderMarkdown(report: JsonReport): string {
	const sections = [
		header(report),
		causes(report),
		fix(report),
		actions(report),
		verification(report),
		['## Steps', '', report.steps.map(step).join('\n\n')].join('\n'),
		watchMarkdown(report.watch, escapeMarkdown),
		notes(report),
		timeline(report),
		exports(report),
		`---\n_Generated by ${escapeMarkdown(`${report.tool.name} ${report.tool.version}`)} with runbook ${escapeMarkdown(`${report.runbook.id} v${report.runbook.version}`)}._`,
	];
	return `${sections.filter(Boolean).join('\n\n')}\n`;
}
