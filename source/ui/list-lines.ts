import type {Glyphs} from './glyphs.ts';
import {fitText, shown, textWidth, type Line} from './lines.ts';

/* The list under the panel and the line being typed, as lines of the frame.
 * Their keys go through the guide's one input layer (ink-select-input kept
 * its own state per render, so arrows typed in one burst moved it once). */

export interface ListItem {
	value: string;
	/** One line, or more (a session: where, then how it went). */
	label: string;
}

/**
 * `limit` items around the highlighted one, with the pointer from the glyphs
 * (`>` without UTF-8); the highlight reads without colour (bold).
 */
export function listLines(key: string, items: ListItem[], highlighted: number, limit: number, glyphs: Glyphs): Line[] {
	const at = Math.max(0, Math.min(highlighted, items.length - 1));
	const start = Math.max(0, Math.min(items.length - limit, at - Math.floor(limit / 2)));
	return items.slice(start, start + limit).flatMap((item, i) => {
		const selected = start + i === at;
		return item.label.split('\n').map((text, j) => ({
			key: `${key}:${item.value}:${j}`,
			segments: [{text: `${selected && j === 0 ? glyphs.current : ' '.repeat(glyphs.current.length)} ${text}`, bold: selected, color: selected ? 'cyan' : undefined}],
		}));
	});
}

/** One line of input (a note, a path): its label, then the tail of what is typed, so the end stays in sight at any width. */
export function inputLine(label: string, value: string, width: number, glyphs: Glyphs): Line {
	const head = fitText(label, width, glyphs);
	const room = Math.max(4, width - textWidth(head) - 1);
	const text = shown(value, glyphs);
	let visible = text;
	if (textWidth(text) > room) {
		// The end of the line, the cut marked at its start.
		const chars = [...text];
		let used = 0;
		let from = chars.length;
		while (from > 0 && used + textWidth(chars[from - 1]!) <= room - 1) used += textWidth(chars[--from]!);
		visible = glyphs.ellipsis + chars.slice(from).join('');
	}
	return {key: 'input', segments: [{text: head, bold: true}, {text: visible}, {text: ' ', inverse: true}]};
}
