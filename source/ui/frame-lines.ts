import type {RunState, Severity} from '../engine/types.ts';
import {verdictOf} from '../engine/verdict.ts';
import {severityColor, type Glyphs} from './glyphs.ts';
import {fitText, textWidth, type Line} from './lines.ts';
import {throughPooler} from '../engine/pooler.ts';

/* The frame's own lines: the header above the panels, the message below them. */

/**
 * One line: the target (never a password; in a quiz, only that it is one,
 * never which drill), the server version (and the pooler pg500 talks
 * through), the verdict so far.
 */
export function headerLine(run: RunState, width: number, glyphs: Glyphs, training: boolean): Line {
	const t = run.target;
	const target = t ? `${t.user}@${t.host}:${t.port}/${t.database}` : 'no target';
	const version = `${t?.serverVersion ? `PostgreSQL ${t.serverVersion}` : 'server not reached yet'}${throughPooler(t?.pooler)}`;
	const verdict = verdictOf(run);
	const symbol = verdict === 'ok' ? glyphs.ok : verdict === 'unknown' ? '?' : glyphs[verdict];
	// In ASCII the symbol of ok is the word itself: `ok so far`, not `ok ok so far`.
	const verdictText = ` ${symbol === verdict ? '' : `${symbol} `}${verdict} so far`;
	const left = fitText(`pg500${training ? ' quiz' : ''} ${glyphs.dot} ${target} ${glyphs.dot} ${version}`, Math.max(10, width - textWidth(verdictText) - 1), glyphs);
	return {
		key: 'header',
		segments: [
			{text: left + ' '.repeat(Math.max(0, width - textWidth(verdictText) - textWidth(left))), bold: true},
			{text: verdictText, bold: true, color: verdict === 'unknown' ? undefined : severityColor[verdict]},
		],
	};
}

/** The line under the panels: what just happened, or what is asked. */
export function messageLine(message: {text: string; severity: Severity} | undefined, width: number, glyphs: Glyphs): Line {
	if (!message) return {key: 'message', segments: []};
	const symbol = message.severity === 'info' ? glyphs.info : glyphs[message.severity];
	return {key: 'message', segments: [{text: fitText(wholeParts(`${symbol} ${message.text}`, width, glyphs.ellipsis), width, glyphs), color: severityColor[message.severity]}]};
}

/**
 * A message too long for the line keeps only the parts (`a; b; c`) that fit
 * whole: cut inside one, `waiting 16 → 0` would read `waiting 1…`. A single
 * part too long is left to fitText.
 */
function wholeParts(text: string, width: number, ellipsis: string): string {
	if (textWidth(text) <= width) return text;
	const parts = text.split('; ');
	for (let n = parts.length - 1; n > 0; n--) {
		const kept = `${parts.slice(0, n).join('; ')}; ${ellipsis}`;
		if (textWidth(kept) <= width) return kept;
	}
	return text;
}
