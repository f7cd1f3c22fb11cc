import {Text} from 'ink';
import type {Glyphs} from './glyphs.ts';
import {fitText, shown, textWidth} from './lines.ts';

interface Props {
	/** What is being typed, e.g. `Note on locks: ` or `Log file for server-logs: `. */
	label: string;
	value: string;
	width: number;
	glyphs: Glyphs;
}

/** One line of input (a note, a path): the tail of what is typed, so the cursor end stays visible at any width. */
export function NoteInput({label, value, width, glyphs}: Props) {
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
	return (
		<Text wrap="truncate-end">
			<Text bold>{head}</Text>
			{visible}
			<Text inverse> </Text>
		</Text>
	);
}
