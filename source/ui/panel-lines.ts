import {planActions, slotsTaken, type PlannedAction} from '../engine/actions.ts';
import {filledFix, fixText} from '../engine/fix-text.ts';
import type {Fix, RunnableStep} from '../runbook/schema.ts';
import type {ActionRecord, Finding, RankedCause, RunState, StepState, Verification} from '../engine/types.ts';
import {severityColor, statusMark, type Glyphs} from './glyphs.ts';
import {exactLines, paragraph, plain, type Line, type Segment} from './lines.ts';
import {resultLines} from './result-lines.ts';
import {sparkline} from '../text/sparkline.ts';
import {figureChange} from '../engine/verification.ts';

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
export function stepLines(step: StepState, def: RunnableStep, position: string, running: boolean, width: number, glyphs: Glyphs, age?: Line[], run?: RunState): Line[] {
	const k = step.id;
	const mark = statusMark(step.status, step.done, glyphs);
	const title = titleLines(`${k}:title`, [{text: `${mark.symbol} `, color: mark.color, bold: true}, {text: position, bold: true}], step.title, width, glyphs);
	const why = paragraph(`${k}:why`, def.why, width, glyphs, {dim: true});
	const ran = !running && !['pending', 'skipped'].includes(step.status);
	if (ran) return [...title, ...(age ?? []), ...resultPanel(step, def, width, glyphs, mark.color, run), plain(`${k}:gap-why`, ''), ...why];
	const lines: Line[] = [...title, ...why, plain(`${k}:gap1`, '')];
	if (running) return [...lines, {key: `${k}:spin`, segments: [{text: '', spinner: true, color: 'cyan'}, {text: ' running…', color: 'cyan'}]}];
	return [...lines, ...resultPanel(step, def, width, glyphs, mark.color, run)];
}

function resultPanel(step: StepState, def: RunnableStep, width: number, glyphs: Glyphs, color: string | undefined, run?: RunState): Line[] {
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
	// Commands with what the run knows filled in (the host, the port, the database…).
	const commands = run ? def.commands?.map(c => ({title: fixText(run, c.title), run: fixText(run, c.run)})) : def.commands;
	lines.push(...commandLines(k, commands, width, glyphs));
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

/** What the fix view says besides the runbook: a drill's lesson, and whether pg500 can connect as another role. */
export interface FixExtras {
	practice?: string;
	canReconnect?: boolean;
}

const statusWords: Record<ActionRecord['status'], string> = {done: 'done', failed: 'failed', refused: 'refused', skipped: 'skipped'};

/** What came of an action so far, one line: "✔ 6 done, ↷ 1 skipped (03:13:40): pg_terminate_backend returned true". */
function recordLine(k: string, records: ActionRecord[], width: number, glyphs: Glyphs): Line[] {
	const answered = records.filter(r => r.status !== 'refused');
	const last = records.at(-1);
	if (!last) return [];
	if (answered.length === 0) return paragraph(`${k}:rec`, `cancelled at ${last.confirmedAt.slice(11, 19)} UTC: nothing was done`, width, glyphs, {dim: true}, {text: '    '});
	const counts = (['done', 'skipped', 'failed'] as const).map(status => [status, answered.filter(r => r.status === status).length] as const).filter(([, n]) => n > 0);
	const worst = counts.some(([status]) => status === 'failed') ? 'critical' : counts.some(([status]) => status === 'skipped') ? 'warning' : 'ok';
	const said = counts.map(([status, n]) => `${n} ${statusWords[status]}`).join(', ');
	const latest = answered.at(-1)!;
	return paragraph(`${k}:rec`, `${said} at ${latest.confirmedAt.slice(11, 19)} UTC: ${latest.error ?? latest.result}`, width, glyphs, {color: severityColor[worst]}, {text: `    ${glyphs[worst]} `, color: severityColor[worst], bold: true});
}

/** One action of the fix: its key and title, what it would act on (or why it is not offered), what came of it. */
function actionLines(k: string, plan: PlannedAction, width: number, glyphs: Glyphs): Line[] {
	const offered = plan.ready.length > 0;
	const count = plan.ready.length > 1 ? ` (${plan.ready.length} targets)` : '';
	const lines = paragraph(`${k}:title`, `${plan.title}${count}`, width, glyphs, offered ? {bold: true} : {dim: true}, {text: `[${plan.number}] `, bold: true, color: offered ? 'cyan' : undefined, dim: !offered});
	const shownTargets = plan.ready.slice(0, 3);
	shownTargets.forEach((t, i) => lines.push(...paragraph(`${k}:t${i}`, t.touches, width, glyphs, {dim: true}, {text: '    '})));
	if (plan.ready.length > shownTargets.length) lines.push(plain(`${k}:more`, `    + ${plan.ready.length - shownTargets.length} more (all of them at the confirmation)`, {dim: true}));
	if (!offered && plan.unavailable) lines.push(...paragraph(`${k}:why`, `not offered: ${plan.unavailable}`, width, glyphs, {dim: true}, {text: '    '}));
	if (plan.grant) lines.push(...paragraph(`${k}:grant-h`, 'A superuser can allow it:', width, glyphs, {dim: true}, {text: '    '}), ...exactLines(`${k}:grant`, plan.grant, width, glyphs, '      ', {color: 'cyan'}));
	lines.push(...recordLine(k, plan.records, width, glyphs));
	return lines;
}

/** The last verification: cleared or not, each figure before → after, what it could not look at. */
function verificationLines(k: string, v: Verification, count: number, width: number, glyphs: Glyphs): Line[] {
	const color = v.cleared ? severityColor.ok : severityColor.critical;
	const head = `Verification${count > 1 ? ` ${count}` : ''} at ${v.at.slice(11, 19)} UTC: ${v.cleared ? 'cleared' : 'not cleared'}`;
	const lines = paragraph(`${k}:vh`, head, width, glyphs, {color, bold: true}, {text: `${v.cleared ? glyphs.ok : glyphs.critical} `, color, bold: true});
	v.figures.forEach((f, i) => {
		const after = f.severityAfter;
		const mark = after ? `${glyphs[after]} ` : `${glyphs.ok} `;
		lines.push(
			...paragraph(`${k}:vf${i}`, `${f.name}: ${figureChange(f)}`, width, glyphs, after ? {color: severityColor[after]} : {}, {
				text: `  ${mark}`,
				color: after ? severityColor[after] : severityColor.ok,
			}),
		);
	});
	v.notes.forEach((note, i) => lines.push(...paragraph(`${k}:vn${i}`, note, width, glyphs, {dim: true}, {text: '  '})));
	return lines;
}

/** Every slot taken when pg500 tried: the reserved slots are the way in. */
function slotsLines(k: string, run: RunState, extras: FixExtras, width: number, glyphs: Glyphs): Line[] {
	if (run.connectedAs) {
		const as = run.connectedAs;
		return paragraph(`${k}:as`, `Connected as ${as.user}@${as.host}:${as.port}/${as.database}${extras.canReconnect ? ' (u: another role)' : ''}; a verification goes back to ${run.target?.user ?? 'the target'} once it is let in.`, width, glyphs, {color: 'blue'});
	}
	if (!slotsTaken(run)) return [];
	// A verification let the target's own role in again: the slots are no longer all taken.
	if (run.verifications.at(-1)?.observations.some(o => o.stepId === 'connect' && !o.outcome.error && !o.outcome.rows[0]?.failure)) return [];
	const how = extras.canReconnect ? ': u reconnects as one (or as another role or URL), and the checks below run again' : '';
	return paragraph(`${k}:slots`, `Every client slot is taken, so pg500 could not look. PostgreSQL keeps superuser_reserved_connections slots (3 by default) for superusers${how}.`, width, glyphs, {color: severityColor.warning});
}

/** The chosen fix: what it is, what pg500 can do about it and what came of it, its commands, and its follow-up checks run live. */
export function fixLines(chosen: Fix, run: RunState, running: string | undefined, width: number, glyphs: Glyphs, ageOf: (step: StepState) => Line[] | undefined = () => undefined, extras: FixExtras = {}): Line[] {
	// In the words of this run: the servers, the role, the thresholds it saw.
	const fix = filledFix(run, chosen);
	const k = `fix:${fix.id}`;
	const plans = planActions(run, fix.id);
	const verification = run.verifications.filter(v => v.fixId === fix.id).at(-1);
	const lines: Line[] = [
		...titleLines(`${k}:title`, [{text: 'Fix: ', bold: true}], fix.title, width, glyphs),
		...(extras.practice ? paragraph(`${k}:practice`, extras.practice, width, glyphs, {color: 'magenta'}, {text: 'Drill: ', bold: true, color: 'magenta'}) : []),
		...slotsLines(k, run, extras, width, glyphs),
		// What a yes or a v found comes first: at 80×24 it is what the operator waits for.
		...(verification ? verificationLines(`${k}:v`, verification, run.verifications.length, width, glyphs) : []),
		...paragraph(`${k}:summary`, fix.summary, width, glyphs, {dim: true}),
		plain(`${k}:ah`, plans.length > 0 ? 'What to do (a number: pg500 does it once you confirm):' : 'What to do:', {bold: true}),
	];
	fix.actions.forEach((a, i) => {
		if (typeof a === 'string') lines.push(...paragraph(`${k}:a${i}`, a, width, glyphs, {}, {text: `${glyphs.dot} `}));
		else {
			const plan = plans.find(p => p.id === a.id);
			if (plan) lines.push(...actionLines(`${k}:a${i}`, plan, width, glyphs));
		}
	});
	lines.push(...commandLines(k, fix.commands, width, glyphs));
	for (const query of fix.queries) {
		const step = run.steps[`${fix.id}/${query.id}`];
		if (!step) continue;
		lines.push(plain(`${k}:${query.id}:gap`, ''));
		lines.push(...stepLines(step, query, 'Follow-up: ', running === step.id, width, glyphs, ageOf(step), run));
	}
	return lines;
}
