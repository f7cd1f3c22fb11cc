import {fixSteps} from '../engine/fix-text.ts';
import type {Fix, RunnableStep} from '../runbook/schema.ts';
import type {Finding, RankedCause, Row, RunState, StepState} from '../engine/types.ts';
import {severityColor, statusMark, type Glyphs} from './glyphs.ts';
import {fitTable} from './fit-table.ts';
import {fitText, paragraph, plain, type Line} from './lines.ts';
import {sparkline} from '../text/sparkline.ts';
import {formatValue} from '../engine/template.ts';

/* The content of each panel as lines fitted to the panel's width. Pure: the
 * same state gives the same lines, so tests can read them and scrolling is a slice. */

/** Rows shown in a result table; the rest are counted (the report carries them all). */
const maxTableRows = 50;

function findingLines(key: string, findings: Finding[], width: number, glyphs: Glyphs): Line[] {
	return findings.flatMap((f, i) =>
		paragraph(`${key}:f${i}`, f.message, width, glyphs.ellipsis, {color: severityColor[f.severity]}, {
			text: `${glyphs[f.severity]} `,
			color: severityColor[f.severity],
			bold: true,
		}),
	);
}

function commandLines(key: string, commands: {title: string; run: string}[] | undefined, width: number, glyphs: Glyphs): Line[] {
	if (!commands?.length) return [];
	return [
		plain(`${key}:ch`, 'Commands (shown, never run by pg500):', {bold: true}),
		...commands.flatMap((c, i) => [
			...paragraph(`${key}:ct${i}`, c.title, width, glyphs.ellipsis, {dim: true}),
			...c.run.split('\n').map((l, j) => plain(`${key}:cr${i}:${j}`, `  $ ${l}`, {color: 'cyan'})),
		]),
	];
}

/** A one-row result (a summary) reads better as `column  value` lines than as a table of cut-off headers. */
function recordLines(key: string, columns: string[], row: Row, width: number, glyphs: Glyphs): Line[] {
	const label = Math.min(Math.max(...columns.map(c => c.length)), Math.floor(width / 2));
	return columns.map((c, i) =>
		plain(`${key}:rec${i}`, fitText(`${fitText(c, label, glyphs.ellipsis).padEnd(label)}  ${formatValue(row[c])}`, width, glyphs.ellipsis)),
	);
}

function tableLines(key: string, step: StepState, def: RunnableStep, width: number, glyphs: Glyphs): Line[] {
	if (step.rows.length === 0) return [];
	const columns = def.columns ?? step.columns ?? Object.keys(step.rows[0]!);
	if (step.rows.length === 1 && step.rowCount === 1) return recordLines(key, columns, step.rows[0]!, width, glyphs);
	const shown = step.rows.slice(0, maxTableRows);
	const table = fitTable(columns, shown, width, glyphs.ellipsis);
	const more = step.rowCount - shown.length;
	const counts = [`${step.rowCount} row${step.rowCount === 1 ? '' : 's'}`];
	if (more > 0) counts.push(`${more} more in the report`);
	if (table.hidden > 0) counts.push(`${table.hidden} column${table.hidden === 1 ? '' : 's'} hidden`);
	return [
		plain(`${key}:th`, table.header, {bold: true}),
		...table.rows.map((r, i) => plain(`${key}:tr${i}`, r)),
		plain(`${key}:tc`, counts.join(' · '), {dim: true}),
	];
}

/**
 * A step's panel. Before it runs: why it matters, then the spinner while it
 * runs. Once it has run, what it found comes first — what went wrong,
 * findings, instructions, results, note — and the why moves to the end, so
 * at 80×24 the operator sees the anomaly without scrolling.
 */
export function stepLines(step: StepState, def: RunnableStep, position: string, running: boolean, width: number, glyphs: Glyphs): Line[] {
	const k = step.id;
	const mark = statusMark(step.status, step.done, glyphs);
	const title: Line = {key: `${k}:title`, segments: [{text: `${mark.symbol} `, color: mark.color, bold: true}, {text: `${position}${step.title}`, bold: true}]};
	const why = paragraph(`${k}:why`, def.why, width, glyphs.ellipsis, {dim: true});
	const ran = !running && !['pending', 'skipped'].includes(step.status);
	if (ran) return [title, ...resultLines(step, def, width, glyphs, mark.color), plain(`${k}:gap-why`, ''), ...why];
	const lines: Line[] = [title, ...why, plain(`${k}:gap1`, '')];
	if (running) return [...lines, {key: `${k}:spin`, spinner: true, segments: [{text: 'running…', color: 'cyan'}]}];
	return [...lines, ...resultLines(step, def, width, glyphs, mark.color)];
}

function resultLines(step: StepState, def: RunnableStep, width: number, glyphs: Glyphs, color: string | undefined): Line[] {
	const k = step.id;
	const lines: Line[] = [];
	if (step.status === 'pending') lines.push(plain(`${k}:pending`, 'Not run yet.', {dim: true}));
	if (step.status === 'skipped') lines.push(plain(`${k}:skip`, `Skipped: ${step.skipReason ?? ''}`, {dim: true}));
	if (step.error) {
		lines.push(...paragraph(`${k}:err`, `Could not run: ${step.error.message}`, width, glyphs.ellipsis, {color: severityColor.error}, {text: `${glyphs.error} `, color: severityColor.error, bold: true}));
		if (step.error.hint) lines.push(...paragraph(`${k}:hint`, `What to do: ${step.error.hint}`, width, glyphs.ellipsis));
		lines.push(plain(`${k}:goes-on`, 'The run goes on: Enter continues, r tries this step again.', {dim: true}));
	}
	if (step.manual) lines.push(...paragraph(`${k}:manual`, step.manual, width, glyphs.ellipsis, {color: 'blue'}));
	lines.push(...findingLines(k, step.findings, width, glyphs));
	const finished = !['pending', 'running', 'skipped'].includes(step.status);
	if (finished && !step.error && step.findings.length === 0 && step.status === 'ok')
		lines.push({key: `${k}:fine`, segments: [{text: `${glyphs.ok} nothing anomalous`, color: severityColor.ok}]});
	if (def.instructions?.length) {
		lines.push(plain(`${k}:ih`, 'What to do:', {bold: true}));
		def.instructions.forEach((text, i) => lines.push(...paragraph(`${k}:i${i}`, text, width, glyphs.ellipsis, {}, {text: `${i + 1}. `})));
	}
	lines.push(...commandLines(k, def.commands, width, glyphs));
	if (step.status === 'manual')
		lines.push(plain(`${k}:tick`, step.done ? `${glyphs.done} done` : `${glyphs.manual} not done yet: press t when done`, {color: step.done ? 'green' : 'blue'}));
	if (finished && step.histogram?.counts.length) {
		const label = 'Over time: ';
		const spark = sparkline(step.histogram, width - label.length, glyphs.unicode);
		lines.push({key: `${k}:spark`, segments: [{text: label, bold: true}, {text: spark.bars, color}, {text: spark.tail, dim: true}]});
	}
	if (finished) lines.push(...tableLines(k, step, def, width, glyphs));
	if (step.note) lines.push(...paragraph(`${k}:note`, step.note, width, glyphs.ellipsis, {color: 'magenta'}, {text: 'Note: ', bold: true}));
	return lines;
}

/** The ranked causes with their evidence, most likely first. */
export function causeLines(causes: RankedCause[], width: number, glyphs: Glyphs): Line[] {
	const lines: Line[] = [plain('causes:title', 'Likely causes, from the findings', {bold: true})];
	causes.forEach((c, i) => {
		const color = c.likelihood === 'likely' ? severityColor.critical : c.likelihood === 'possible' ? severityColor.warning : undefined;
		lines.push({
			key: `cause:${c.id}`,
			// The verdict before the title: a long title is what gets cut at 80 columns, not the likelihood.
			segments: [{text: `${i + 1}. `, bold: true}, {text: `${c.likelihood} ${Math.round(c.score * 100)}% `, color, dim: c.likelihood === 'unlikely'}, {text: c.title, bold: true}],
		});
		c.evidence.slice(0, 3).forEach((e, j) => lines.push(...paragraph(`cause:${c.id}:${j}`, e, width, glyphs.ellipsis, {dim: true}, {text: '   - '})));
		if (c.evidence.length > 3) lines.push(plain(`cause:${c.id}:more`, `   + ${c.evidence.length - 3} more`, {dim: true}));
	});
	return lines;
}

/** The chosen fix: summary, actions, commands, and its follow-up checks run live. */
export function fixLines(fix: Fix, run: RunState, running: string | undefined, width: number, glyphs: Glyphs): Line[] {
	const k = `fix:${fix.id}`;
	const lines: Line[] = [
		plain(`${k}:title`, `Fix: ${fix.title}`, {bold: true}),
		...paragraph(`${k}:summary`, fix.summary, width, glyphs.ellipsis, {dim: true}),
		plain(`${k}:ah`, 'Actions:', {bold: true}),
		...fixSteps(fix, run).flatMap((a, i) => paragraph(`${k}:a${i}`, a.text, width, glyphs.ellipsis, {}, {text: a.action ? `[${a.action}] ` : `${i + 1}. `})),
		...commandLines(k, fix.commands, width, glyphs),
	];
	for (const query of fix.queries) {
		const step = run.steps[`${fix.id}/${query.id}`];
		if (!step) continue;
		lines.push(plain(`${k}:${query.id}:gap`, ''));
		lines.push(...stepLines(step, query, 'Follow-up: ', running === step.id, width, glyphs));
	}
	return lines;
}
