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
	hasChart,
	sessionLines,
	severitySymbol,
	stepSymbol,
	stepTiming,
	targetLabel,
	timelineClock,
	timelineMarkSymbol,
	verdictMeaning,
	verificationVerdict,
	verdictSymbol,
} from './format.ts';
import {rowsToShow} from './rows.ts';

/* The report for a ticket (`markdown`: renders cleanly on GitHub and GitLab)
 * or for a chat (`chat`: no tables, no headings, no HTML — lists and code
 * blocks only, which every chat tool shows or leaves readable). Both start
 * with the summary, then who ran it and where, the causes and the fix, the
 * incident's timeline, and the evidence step by step — each step's rows cut
 * to the ones that carry its findings. SQL only on request (`--include-sql`,
 * folded in <details> on GitHub and GitLab). */

export type MarkdownFlavor = 'github' | 'chat';

export interface MarkdownOptions {
	flavor?: MarkdownFlavor;
	/** Each step's SQL, folded away (GitHub and GitLab render <details>); never in the chat flavor. */
	includeSql?: boolean;
}

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

/** Inline code for text from anywhere: delimited by a backtick run longer than any inside. */
function inlineCode(text: string): string {
	const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map(m => m[0].length));
	const ticks = '`'.repeat(longest + 1);
	const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
	return `${ticks}${pad}${text}${pad}${ticks}`;
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

class Writer {
	constructor(readonly flavor: MarkdownFlavor) {}

	/** A section title: a heading on GitHub, a plain line ending with a colon in a chat. */
	heading(level: 1 | 2 | 3, text: string): string {
		return this.flavor === 'chat' ? `${text}${level === 3 ? '' : ':'}` : `${'#'.repeat(level)} ${text}`;
	}

	strong(text: string): string {
		return this.flavor === 'chat' ? text : `**${text}**`;
	}

	emphasis(text: string): string {
		return this.flavor === 'chat' ? text : `_${text}_`;
	}
}

function summaryBlock(report: JsonReport, w: Writer): string {
	// Chat: the message itself; a ticket: a plain block to copy from as it is.
	return w.flavor === 'chat' ? report.summary.join('\n') : codeBlock(report.summary.join('\n'), 'text');
}

function header(report: JsonReport, w: Writer): string {
	const {verdict} = report;
	const lines = [w.heading(1, `${verdictSymbol[verdict]} ${verdict.toUpperCase()} — ${escapeMarkdown(report.runbook.title)}`), '', summaryBlock(report, w)];
	lines.push('', `${w.strong(`Verdict: ${verdictSymbol[verdict]} ${verdict}`)} — ${verdictMeaning[verdict]} (${findingSummary(report.steps)}).`);
	if (!report.finished)
		lines.push('', `> ⚠ ${w.strong('Interrupted session:')} the run did not finish. Steps marked "not run yet" were never run; re-run or resume before trusting an absence of findings.`);
	return lines.join('\n');
}

/** Who ran the session, from where, with what, against what. */
function whoAndWhere(report: JsonReport, w: Writer): string {
	const target = report.target;
	const duration = elapsedMs(report.startedAt, report.finishedAt);
	const facts: [string, string][] = [
		[
			'Target',
			target
				? `${escapeMarkdown(`${target.user}@${target.host}:${target.port}/${target.database}`)} — PostgreSQL ${escapeMarkdown(`${target.serverVersion ?? 'not reached'}${throughPooler(target.pooler)}`)}`
				: 'not recorded',
		],
		...sessionLines(report).map(([k, v]): [string, string] => [k, escapeMarkdown(v)]),
		['Started', report.startedAt ? formatTime(report.startedAt) : 'not recorded'],
		[
			report.finished ? 'Finished' : 'Last recorded',
			report.finishedAt ? `${formatTime(report.finishedAt)}${duration === undefined ? '' : ` (${formatDuration(duration)})`}` : '—',
		],
		['Runbook', escapeMarkdown(`${report.runbook.id} v${report.runbook.version} (${report.runbook.path})`)],
	];
	return [w.heading(2, 'Who and where'), '', ...facts.map(([k, v]) => `- ${w.strong(`${k}:`)} ${v}`)].join('\n');
}

function causes(report: JsonReport, w: Writer): string {
	const lines = [w.heading(2, 'Causes, most likely first'), ''];
	const weighed = report.causes.filter(c => c.likelihood !== 'unlikely' || c.evidence.length > 0);
	const unlikely = report.causes.filter(c => !weighed.includes(c));
	weighed.forEach((c, i) => {
		lines.push(`${i + 1}. ${w.strong(escapeMarkdown(c.title))} — ${c.likelihood} (score ${c.score.toFixed(2)})`);
		for (const e of c.evidence) lines.push(`   - ${escapeMarkdown(e)}`);
	});
	if (unlikely.length > 0) lines.push(`${weighed.length > 0 ? '\n' : ''}No evidence for: ${unlikely.map(c => escapeMarkdown(c.title)).join(', ')}.`);
	return lines.join('\n');
}

function fix(report: JsonReport, w: Writer): string {
	const f = report.fix;
	if (!f) {
		const next = report.elsewhere ? `\n\n${w.strong('Where to look next:')} ${escapeMarkdown(report.elsewhere)}` : '';
		return `${w.heading(2, 'Fix')}\n\nNo cause is likely enough to recommend a fix; see the findings below.${next}`;
	}
	const lines = [w.heading(2, `Fix: ${escapeMarkdown(f.title)} (${fixChoice(f)})`), '', escapeMarkdown(f.summary), ''];
	f.actions.forEach((a, i) => lines.push(`${i + 1}. ${escapeMarkdown(a)}`));
	for (const c of f.commands) lines.push('', w.strong(escapeMarkdown(c.title)), '', codeBlock(c.run, 'sh'));
	return lines.join('\n');
}

/** What was done to the database, target by target: the exact SQL, who confirmed it, what came of it. */
function actions(report: JsonReport, w: Writer): string {
	if (report.actions.length === 0) return '';
	const lines = [w.heading(2, 'Actions'), ''];
	for (const a of report.actions) {
		lines.push(`- ${actionSymbol[a.status]} ${w.strong(a.status)} — ${escapeMarkdown(a.title)} — ${escapeMarkdown(targetLabel(a.target))}; answered by ${escapeMarkdown(a.operator)} at ${formatTime(a.confirmedAt)}`);
		lines.push(`  ${inlineCode(a.sql)} → ${escapeMarkdown(a.result)}${a.error ? ` (${escapeMarkdown(a.error)})` : ''}`);
	}
	return lines.join('\n');
}

/** The chosen cause's evidence looked at again after the action: before → after, figure by figure (a list in a chat). */
function verification(report: JsonReport, w: Writer): string {
	const v = report.verification;
	if (!v) return '';
	const mark = (value: string, severity: string | null) => (severity ? `${severitySymbol[severity as 'warning']} ${value}` : value);
	const lines = [w.heading(2, 'Verification'), '', `${w.strong(`${v.cleared ? '✔' : '✖'} ${escapeMarkdown(verificationVerdict(v))}`)} (${formatTime(v.at)}${v.count > 1 ? `, verification ${v.count}` : ''}).`];
	// A step the diagnosis could not look at (a branch went past it, the connection was refused) was not seen then.
	const figures = v.figures.map(f => ({name: cell(f.name), step: cell(f.stepId), before: mark(f.before === null ? 'not seen' : cell(formatValue(f.before)), f.severityBefore), after: mark(cell(formatValue(f.after)), f.severityAfter)}));
	if (figures.length > 0 && w.flavor === 'chat') lines.push('', ...figures.map(f => `- ${f.name} (${f.step}): ${f.before} → ${f.after}`));
	else if (figures.length > 0) lines.push('', table(['figure', 'step', 'at diagnosis', 'now'], figures.map(f => [f.name, f.step, f.before, f.after])));
	for (const note of v.notes) lines.push('', w.emphasis(escapeMarkdown(note)));
	return lines.join('\n');
}

function timeline(report: JsonReport, w: Writer): string {
	const clock = timelineClock();
	const lines = report.timeline.map(t => {
		const who = t.operator && (t.kind === 'note' || t.kind === 'manual' || t.kind === 'fix' || t.kind === 'action') ? ` (${escapeMarkdown(t.operator)})` : '';
		return `- ${inlineCode(clock(t.at))} ${timelineMarkSymbol(t.mark)}${escapeMarkdown(t.event)}${who}`;
	});
	return [w.heading(2, 'Timeline (UTC)'), '', ...lines].join('\n');
}

function resultsTable(step: JsonStep, w: Writer): string {
	const shown = rowsToShow(step);
	const rest = shown.rest ? w.emphasis(`${shown.rest} — all in the JSON report.`) : '';
	if (shown.rows.length === 0 || w.flavor === 'chat') {
		const rows = step.rowCount > 0 && w.flavor === 'chat' ? w.emphasis(`${step.rowCount} result row${step.rowCount === 1 ? '' : 's'} in the full report.`) : rest;
		return rows;
	}
	const body = shown.rows.map((row: Row) => shown.columns.map(c => cell(c in row ? formatValue(row[c]!) : '')));
	const same = shown.same.length > 0 ? `${w.emphasis('In every row shown:')} ${shown.same.map(([c, v]) => `${escapeMarkdown(c)} ${cell(formatValue(v))}`).join('; ')}` : '';
	return [same, table(shown.columns.map(cell), body), rest].filter(Boolean).join('\n\n');
}

function step(s: JsonStep, index: number, w: Writer, includeSql: boolean): string {
	const lines = [w.heading(3, `${stepSymbol(s)} ${index + 1}. ${escapeMarkdown(s.title)} (${inlineCode(s.id)}) — ${stepTiming(s)}`)];
	if (s.reason) lines.push('', w.emphasis(escapeMarkdown(s.reason)));
	if (s.error) {
		lines.push('', `${w.strong('Error:')} ${escapeMarkdown(s.error.message)}${s.error.sqlstate ? ` (SQLSTATE ${escapeMarkdown(s.error.sqlstate)})` : ''}`);
		if (s.error.hint) lines.push('', `${w.strong('What to do:')} ${escapeMarkdown(s.error.hint)}`);
	}
	if (s.brief) lines.push('', `${w.strong('Figures:')} ${escapeMarkdown(s.brief)}`);
	if (s.findings.length > 0) {
		lines.push('');
		for (const f of s.findings) lines.push(`- ${severitySymbol[f.severity]} ${w.strong(f.severity)}: ${escapeMarkdown(f.message)}`);
	}
	if (s.instructions.length > 0) {
		lines.push('');
		for (const item of s.instructions) lines.push(`- ${escapeMarkdown(item)}`);
	}
	for (const c of s.commands) lines.push('', w.strong(escapeMarkdown(c.title)), '', codeBlock(c.run, 'sh'));
	if (s.note) lines.push('', `> ${w.strong("Operator's note:")} ${escapeMarkdown(s.note)}`);
	if (s.histogram && hasChart(s.histogram)) {
		const spark = sparkline(s.histogram, sparklineWidth, true);
		lines.push('', `${w.strong('Over time:')} ${inlineCode(spark.bars)}${spark.tail}`);
	}
	const rows = resultsTable(s, w);
	if (rows) lines.push('', rows);
	if (includeSql && s.query && w.flavor === 'github')
		lines.push('', '<details><summary>SQL</summary>', '', codeBlock(s.query, 'sql'), '', '</details>');
	return lines.join('\n');
}

function exports(report: JsonReport, w: Writer): string {
	if (report.exports.length === 0) return '';
	return [w.heading(2, 'Exported reports'), '', ...report.exports.map(e => `- ${escapeMarkdown(e.format)}: ${escapeMarkdown(e.path)} (${formatTime(e.at)})`)].join('\n');
}

export function renderMarkdown(report: JsonReport, options: MarkdownOptions = {}): string {
	const w = new Writer(options.flavor ?? 'github');
	const sections = [
		header(report, w),
		whoAndWhere(report, w),
		causes(report, w),
		fix(report, w),
		actions(report, w),
		verification(report, w),
		timeline(report, w),
		// The watched figures come as a table: a chat gets a pointer to the full report instead.
		w.flavor === 'chat' ? (report.watch ? 'Watched figures: in the full report.' : '') : watchMarkdown(report.watch, escapeMarkdown),
		[w.heading(2, 'Steps'), '', report.steps.map((s, i) => step(s, i, w, options.includeSql ?? false)).join('\n\n')].join('\n'),
		exports(report, w),
		`${w.flavor === 'chat' ? '' : '---\n'}${w.emphasis(`Generated by ${escapeMarkdown(`${report.tool.name} ${report.tool.version}`)} with runbook ${escapeMarkdown(`${report.runbook.id} v${report.runbook.version}`)}.`)}`,
	];
	return `${sections.filter(Boolean).join('\n\n')}\n`;
}
