import {Box, Text} from 'ink';
import type {Glyphs} from './glyphs.ts';

export interface ListItem {
	value: string;
	label: string;
}

interface Props {
	items: ListItem[];
	/** The item highlighted (the keymap moves it). */
	highlighted: number;
	/** Items shown at once; the list scrolls to keep the highlighted one in sight. */
	limit: number;
	glyphs: Glyphs;
	color: boolean;
}

/**
 * A list to pick from. Render only: its keys go through the guide's one
 * input layer (ink-select-input kept its own state per render, so arrows
 * typed in one burst moved it once). The pointer comes from the glyphs (`>`
 * without UTF-8) and the highlight reads without colour.
 */
export function ListSelect({items, highlighted, limit, glyphs, color}: Props) {
	const at = Math.max(0, Math.min(highlighted, items.length - 1));
	const start = Math.max(0, Math.min(items.length - limit, at - Math.floor(limit / 2)));
	return (
		<Box flexDirection="column">
			{items.slice(start, start + limit).map((item, i) => {
				const selected = start + i === at;
				// A label may take more than one line (a session: where, then how it went).
				return item.label.split('\n').map((text, j) => (
					<Text key={`${item.value}:${j}`} wrap="truncate-end" color={color && selected ? 'cyan' : undefined} bold={selected}>
						{`${selected && j === 0 ? glyphs.current : ' '.repeat(glyphs.current.length)} ${text}`}
					</Text>
				));
			})}
		</Box>
	);
}
