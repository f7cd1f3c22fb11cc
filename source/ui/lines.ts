/* Every panel is built as a list of single lines, each already fitted to the
 * width. Nothing can wrap into garbage at 80×24, and scrolling a panel is
 * slicing a list. Builders are pure; line-view.tsx only renders. */

export interface Segment {
	text: string;
	color?: string;
	bold?: boolean;
	dim?: boolean;
}

export interface Line {
	key: string;
	segments: Segment[];
	/** Draw a spinner before the text (only while a step runs). */
	spinner?: boolean;
}

/** Columns a spinner and its gap take before the text. */
export const spinnerWidth = 2;

/** Shortens text to `width` characters, marking the cut with the ellipsis glyph. */
export function fitText(text: string, width: number, ellipsis: string): string {
	const chars = [...text];
	if (chars.length <= width) return text;
	if (width <= ellipsis.length) return chars.slice(0, Math.max(0, width)).join('');
	return chars.slice(0, width - ellipsis.length).join('') + ellipsis;
}

/** Word-wraps prose to `width`; a word longer than the width is cut. */
export function wrapText(text: string, width: number, ellipsis: string): string[] {
	const out: string[] = [];
	for (const paragraph of text.split('\n')) {
		let line = '';
		for (const word of paragraph.split(/\s+/).filter(Boolean)) {
			if (line === '') line = word;
			else if (line.length + 1 + word.length <= width) line += ` ${word}`;
			else {
				out.push(line);
				line = word;
			}
		}
		out.push(line);
	}
	return out.map(l => fitText(l, width, ellipsis));
}

/** Truncates a line's segments so the whole line fits in `width` columns. */
export function fitLine(line: Line, width: number, ellipsis: string): Line {
	let room = width - (line.spinner ? spinnerWidth : 0);
	const segments: Segment[] = [];
	for (const segment of line.segments) {
		if (room <= 0) break;
		const length = [...segment.text].length;
		const text = length <= room ? segment.text : fitText(segment.text, room, ellipsis);
		segments.push({...segment, text});
		room -= length;
	}
	return {...line, segments};
}

export function plain(key: string, text: string, style: Omit<Segment, 'text'> = {}): Line {
	return {key, segments: [{text, ...style}]};
}

/** Prose wrapped into lines, each with an optional prefix on the first line and an indent on the others. */
export function paragraph(key: string, text: string, width: number, ellipsis: string, style: Omit<Segment, 'text'> = {}, prefix?: Segment): Line[] {
	const lead = prefix ? [...prefix.text].length : 0;
	return wrapText(text, Math.max(8, width - lead), ellipsis).map((chunk, i) => ({
		key: `${key}:${i}`,
		segments: [...(prefix ? [i === 0 ? prefix : {text: ' '.repeat(lead)}] : []), {text: chunk, ...style}],
	}));
}
