import {useLatestInput} from './use-latest-input.ts';
import type {Dispatch} from 'react';
import {escapeUntrusted} from '../text/escape.ts';
import type {NoteInputAction} from './use-note-input-state.ts';

/** Keys of the note input: text goes in, Enter saves, Esc cancels. */
export function useNoteInput(value: string, dispatch: Dispatch<NoteInputAction>, onSave: (text: string) => void, onCancel: () => void): void {
	useLatestInput((input, key) => {
		if (key.return) onSave(value);
		else if (key.escape) onCancel();
		else if (key.backspace || key.delete) dispatch({type: 'delete-back'});
		else if (key.ctrl && input === 'w') dispatch({type: 'delete-word'});
		else if (key.ctrl && input === 'u') dispatch({type: 'clear'});
		// A pasted line can carry control characters; the note goes into reports and the journal.
		else if (!key.ctrl && !key.meta && input) dispatch({type: 'insert', text: escapeUntrusted(input)});
	});
}
