import {fixSteps} from '../engine/fix-text.ts';
import type {Fix, RunnableStep} from '../runbook/schema.ts';
import type {Finding, RankedCause, RunState, StepState} from '../engine/types.ts';
import {severityColor, statusMark, type Glyphs} from './glyphs.ts';
import {exactLines, paragraph, plain, type Line, type Segment} from './lines.ts';
import {resultLines} from './result-lines.ts';
import {sparkline} from '../text/sparkline.ts';

/* The content of each panel as lines fitted to the panel's width. Pure: the
 * same state gives the same lines, so tests can read them and scrolling is a slice. */

function findingLines(key: string, findings: Finding[], width: number, glyphs: Glyphs): Line[] {
	return findings.flatMap((f, i) =>
		paragraph(`${key}:f${i}`, f.message, width, glyphs, {color: severityColor[f.severity]}, {
			text: `${glyphs[f.severity]} `,
			color: severityColor[f.severity],
			bold: true,
		}),
	);
}

/** Commands to copy: each whole, over as many lines as it takes (a command cut short is a different command). */
function commandLines(key: string, commands: {title: string; run: string}[] | undefined, width: number, glyphs: Glyphs): Line[] {
	if (!commands?.length) return [];
	return [
		plain(`${key}:ch`, 'Commands (shown, never run by pg500):', {bold: true}),
		...commands.flatMap((c, i) => [
			...paragraph(`${key}:ct${i}`, c.title, width, glyphs, {dim: true}),
			...exactLines(`${key}:cr${i}`, c.run, width, glyphs, '  $ ', {color: 'cyan'}),
		]),
	];
}

/** A title wrapped (never cut) after its lead segments: the status symbol, the step's number. */
function titleLines(key: string, lead: Segment[], title: string, width: number, glyphs: Glyphs): Line[] {
	const text = lead.map(s => s.text).join('');
	// The first line keeps the key `…:title`: stepsOnScreen finds a step's title by it.
	return paragraph(key, title, width, glyphs, {bold: true}, {text}).map((line, i) => (i === 0 ? {key, segments: [...lead, ...line.segments.slice(1)]} : line));
}

/**
 * A step's panel. Before it runs: why it matters, then the spinner while it
 * runs. Once it has run, what it found comes first — what went wrong,
 * findings, instructions, results, note — and the why moves to the end, so
 * at 80×24 the operator sees the anomaly without scrolling.
 */
export function stepLines(step: StepState, def: RunnableStep, position: string, running: boolean, width: number, glyphs: Glyphs, age?: Line[]): Line[] {
	const k = step.id;
	const mark = statusMark(step.status, step.done, glyphs);
	const title = titleLines(`${k}:title`, [{text: `${mark.symbol} `, color: mark.color, bold: true}, {text: position, bold: true}], step.title, width, glyphs);
	const why = paragraph(`${k}:why`, def.why, width, glyphs, {dim: true});
	const ran = !running && !['pending', 'skipped'].includes(step.status);
	if (ran) return [...title, ...(age ?? []), ...resultPanel(step, def, width, glyphs, mark.color), plain(`${k}:gap-why`, ''), ...why];
	const lines: Line[] = [...title, ...why, plain(`${k}:gap1`, '')];
	if (running) return [...lines, {key: `${k}:spin`, segments: [{text: '', spinner: true, color: 'cyan'}, {text: ' running…', color: 'cyan'}]}];
	return [...lines, ...resultPanel(step, def, width, glyphs, mark.color)];
}

function resultPanel(step: StepState, def: RunnableStep, width: number, glyphs: Glyphs, color: string | undefined): Line[] {
	const k = step.id;
	const lines: Line[] = [];
	if (step.status === 'pending') lines.push(plain(`${k}:pending`, 'Not run yet.', {dim: true}));
	if (step.status === 'skipped') lines.push(...paragraph(`${k}:skip`, `Skipped: ${step.skipReason ?? ''}`, width, glyphs, {dim: true}));
	if (step.error) {
		lines.push(...paragraph(`${k}:err`, `Could not run: ${step.error.message}`, width, glyphs, {color: severityColor.error}, {text: `${glyphs.error} `, color: severityColor.error, bold: true}));
		if (step.error.hint) lines.push(...paragraph(`${k}:hint`, `What to do: ${step.error.hint}`, width, glyphs));
		lines.push(...paragraph(`${k}:goes-on`, 'The run goes on: Enter continues, r tries this step again.', width, glyphs, {dim: true}));
	}
	if (step.manual) lines.push(...paragraph(`${k}:manual`, step.manual, width, glyphs, {color: 'blue'}));
	lines.push(...findingLines(k, step.findings, width, glyphs));
	const finished = !['pending', 'running', 'skipped'].includes(step.status);
	if (finished && !step.error && step.findings.length === 0 && step.status === 'ok')
		lines.push({key: `${k}:fine`, segments: [{text: `${glyphs.ok} nothing anomalous`, color: severityColor.ok}]});
	if (def.instructions?.length) {
		lines.push(plain(`${k}:ih`, 'What to do:', {bold: true}));
		def.instructions.forEach((text, i) => lines.push(...paragraph(`${k}:i${i}`, text, width, glyphs, {}, {text: `${i + 1}. `})));
	}
	lines.push(...commandLines(k, def.commands, width, glyphs));
	if (step.status === 'manual')
		lines.push(plain(`${k}:tick`, step.done ? `${glyphs.done} done` : `${glyphs.manual} not done yet: press t when done`, {color: step.done ? 'green' : 'blue'}));
	if (finished && step.histogram?.counts.length) {
		const label = 'Over time: ';
		const spark = sparkline(step.histogram, width - label.length, glyphs.unicode);
		lines.push({key: `${k}:spark`, segments: [{text: label, bold: true}, {text: spark.bars, color}, {text: spark.tail, dim: true}]});
	}
	if (finished) lines.push(...resultLines(k, step, def, width, glyphs));
	if (step.note) lines.push(...paragraph(`${k}:note`, step.note, width, glyphs, {color: 'magenta'}, {text: 'Note: ', bold: true}));
	return lines;
}

/** The ranked causes with their evidence, most likely first; in a quiz not yet answered, without their likelihoods. */
export function causeLines(causes: RankedCause[], width: number, glyphs: Glyphs, options: {hideLikelihood?: boolean} = {}): Line[] {
	const lines: Line[] = paragraph('causes:title', options.hideLikelihood ? 'The causes in this runbook, and the findings that point to each' : 'Likely causes, from the findings', width, glyphs, {bold: true});
	if (options.hideLikelihood) lines.push(...paragraph('causes:quiz', 'A quiz: their ranking shows once you have named the cause (a).', width, glyphs, {dim: true}));
	causes.forEach((c, i) => {
		const color = c.likelihood === 'likely' ? severityColor.critical : c.likelihood === 'possible' ? severityColor.warning : undefined;
		// The verdict before the title: a long title wraps, the likelihood stays in front.
		const lead: Segment[] = options.hideLikelihood
			? [{text: `${glyphs.dot} `, bold: true}]
			: [{text: `${i + 1}. `, bold: true}, {text: `${c.likelihood} ${Math.round(c.score * 100)}% `, color, dim: c.likelihood === 'unlikely'}];
		lines.push(...titleLines(`cause:${c.id}`, lead, c.title, width, glyphs));
		c.evidence.slice(0, 3).forEach((e, j) => lines.push(...paragraph(`cause:${c.id}:${j}`, e, width, glyphs, {dim: true}, {text: '   - '})));
		if (c.evidence.length > 3) lines.push(plain(`cause:${c.id}:more`, `   + ${c.evidence.length - 3} more`, {dim: true}));
	});
	return lines;
}

/** The chosen fix: summary, actions, commands, and its follow-up checks run live. */
export function fixLines(fix: Fix, run: RunState, running: string | undefined, width: number, glyphs: Glyphs, ageOf: (step: StepState) => Line[] | undefined = () => undefined): Line[] {
	const k = `fix:${fix.id}`;
	const lines: Line[] = [
		...titleLines(`${k}:title`, [{text: 'Fix: ', bold: true}], fix.title, width, glyphs),
		...paragraph(`${k}:summary`, fix.summary, width, glyphs, {dim: true}),
		plain(`${k}:ah`, 'Actions:', {bold: true}),
		...fixSteps(fix, run).flatMap((a, i) => paragraph(`${k}:a${i}`, a.text, width, glyphs, {}, {text: a.action ? `[${a.action}] ` : `${i + 1}. `})),
		...commandLines(k, fix.commands, width, glyphs),
	];
	for (const query of fix.queries) {
		const step = run.steps[`${fix.id}/${query.id}`];
		if (!step) continue;
		lines.push(plain(`${k}:${query.id}:gap`, ''));
		lines.push(...stepLines(step, query, 'Follow-up: ', running === step.id, width, glyphs, ageOf(step)));
	}
	return lines;
}
