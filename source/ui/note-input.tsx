import {Box, Text} from 'ink';
import {useNoteInputState} from './use-note-input-state.ts';
import {useNoteInput} from './use-note-input.ts';
import {fitText} from './lines.ts';

interface Props {
	/** What is being typed, e.g. `Note on locks: ` or `Log file for server-logs: `. */
	label: string;
	initial: string;
	width: number;
	ellipsis: string;
	onSave(text: string): void;
	onCancel(): void;
}

/** One line of input (a note, a path): the tail of the note being typed, so the cursor end stays visible at any width. */
export function NoteInput({label, initial, width, ellipsis, onSave, onCancel}: Props) {
	const [value, dispatch] = useNoteInputState(initial);
	useNoteInput(value, dispatch, onSave, onCancel);
	const room = Math.max(4, width - label.length - 1);
	const chars = [...value];
	const visible = chars.length < room ? value : ellipsis + chars.slice(chars.length - room + ellipsis.length + 1).join('');
	return (
		<Box>
			<Text wrap="truncate-end">
				<Text bold>{fitText(label, width, ellipsis)}</Text>
				{visible}
				<Text inverse> </Text>
			</Text>
		</Box>
	);
}
