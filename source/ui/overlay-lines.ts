import type {CaptureLimits} from '../checks/capture-command.ts';
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
