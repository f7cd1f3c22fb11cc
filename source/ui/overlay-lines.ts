import type {CaptureLimits} from '../checks/capture-command.ts';
import type {PlannedAction} from '../engine/actions.ts';
import {severityColor, type Glyphs} from './glyphs.ts';
import {exactLines, paragraph, plain, type Line} from './lines.ts';

/* Panels that replace the step panel for a moment: the command to confirm,
 * the quiz's question and its reveal. Pure, like panel-lines.ts. */

export function confirmLines(line: string, logName: string, limits: CaptureLimits, width: number, glyphs: Glyphs): Line[] {
	const mb = Math.round(limits.maxBytes / (1 << 20));
	return [
		plain('confirm:title', 'Run this command on this machine?', {bold: true}),
		plain('confirm:gap', ''),
		// Cut into pieces of the width, never re-wrapped at spaces: what is shown is what runs.
		...exactLines('confirm:line', line, width, glyphs, '  $ ', {color: 'cyan', bold: true}),
		plain('confirm:gap2', ''),
		...paragraph(
			'confirm:what',
			`pg500 runs exactly this line with sh -c, without input, for at most ${Math.round(limits.timeoutMs / 1000)} s, keeping at most ${mb} MB of its output in a private temp file (mode 0600). The output is read as ${logName}, then the file is deleted.`,
			width,
			glyphs,
			{dim: true},
		),
		plain('confirm:gap3', ''),
		plain('confirm:keys', `y runs it ${glyphs.dot} n or Esc: nothing runs`, {bold: true}),
	];
}

/**
 * After `e`: where the report went, and the summary for the incident channel
 * as it is copied (each line wrapped for the screen, never changed).
 */
export function exportLines(exported: {path: string; summary: string[]}, width: number, glyphs: Glyphs): Line[] {
	return [
		plain('export:title', 'Report written', {bold: true}),
		...exactLines('export:path', exported.path, width, glyphs, '  ', {color: 'cyan'}),
		plain('export:gap', ''),
		plain('export:summary', 'For the incident channel:', {bold: true}),
		// A bullet where each copied line starts: the screen wraps them, the clipboard does not.
		...exported.summary.flatMap((line, i) => paragraph(`export:line:${i}`, line, width, glyphs, {}, {text: `${glyphs.unicode ? '•' : '*'} `, dim: true})),
		plain('export:gap2', ''),
		...paragraph(
			'export:how',
			`y copies these lines to the clipboard through the terminal (OSC 52): it works over SSH, and in tmux with set-clipboard on. A terminal that does not support it ignores it.`,
			width,
			glyphs,
			{dim: true},
		),
	];
}

export function quizPromptLines(width: number, glyphs: Glyphs): Line[] {
	return [
		plain('quiz:title', 'Name the cause', {bold: true}),
		...paragraph('quiz:why', 'What is behind the 500s of this drill? Then: the answer, the evidence that pointed to it, and the steps you skipped.', width, glyphs, {dim: true}),
	];
}

export function revealLines(reveal: {correct: boolean; text: string}, width: number, glyphs: Glyphs): Line[] {
	const [first = '', ...rest] = reveal.text.split('\n');
	const color = reveal.correct ? severityColor.ok : severityColor.critical;
	return [
		...paragraph('reveal:head', first, width, glyphs, {color, bold: true}, {text: `${reveal.correct ? glyphs.ok : glyphs.critical} `, color, bold: true}),
		...rest.flatMap((text, i) => paragraph(`reveal:${i}`, text, width, glyphs)),
		plain('reveal:note', 'This is in the report too (a note on the last step).', {dim: true}),
	];
}

/** An action's confirmation: for each target, the exact SQL with its values and what it touches; then how to answer. */
export function actConfirmLines(plan: PlannedAction, database: string, width: number, glyphs: Glyphs): Line[] {
	const lines: Line[] = [
		...paragraph('act:title', `[${plan.number}] ${plan.title}`, width, glyphs, {bold: true}),
		...paragraph('act:where', `On ${database}, ${plan.ready.length === 1 ? 'this statement' : `these ${plan.ready.length} statements`}, exactly:`, width, glyphs, {dim: true}),
	];
	plan.ready.forEach((t, i) => {
		lines.push(plain(`act:gap${i}`, ''));
		lines.push(...paragraph(`act:touches${i}`, t.touches, width, glyphs, {}, {text: `${glyphs.dot} `, bold: true}));
		// Cut into pieces of the width, never re-wrapped at spaces: what is shown is what is sent.
		lines.push(...exactLines(`act:sql${i}`, t.sql ?? '', width, glyphs, '  > ', {color: 'cyan', bold: true}));
	});
	const guard =
		plan.kind === 'session'
			? 'only while it is still the session the diagnosis saw (the same pid, started at the same time, in the same transaction): a recycled pid or a session that moved on is skipped and reported'
			: `only while the ${plan.kind} still exists`;
	lines.push(
		plain('act:gap', ''),
		...paragraph('act:how', `Each in its own READ WRITE transaction with pg500's statement and lock timeouts, on its one connection, ${guard}. Your answer is journaled with your user@host.`, width, glyphs, {dim: true}),
		plain('act:gap-keys', ''),
		plain('act:keys', `Type yes and Enter to run it ${glyphs.dot} anything else cancels`, {bold: true}),
	);
	return lines;
}

/** Reconnecting as another role or target: what to type, and what happens to the connection. */
export function loginLines(target: string, width: number, glyphs: Glyphs): Line[] {
	return [
		plain('login:title', 'Connect as another role or target', {bold: true}),
		...paragraph('login:what', `A role name connects to ${target} as that role; a postgres:// URL connects there instead. pg500 closes its connection first (one at a time); a login that is refused leaves you where you were.`, width, glyphs),
		...paragraph('login:slots', 'When every client slot is taken, a superuser still gets in through the reserved slots (superuser_reserved_connections).', width, glyphs, {dim: true}),
		...paragraph('login:secret', 'The password is asked next, typed hidden (Enter alone: none, or the one in ~/.pgpass), used for this connection only and never written anywhere: not in the journal, not in a report.', width, glyphs, {dim: true}),
	];
}
