/* The line being typed in an input overlay (a note, a log path): text with
 * the cursor at its end (a note is a sentence or two typed in an outage, not
 * a document to edit). It lives in the guide state, so keys typed in one
 * burst — `n`, the note, Enter — all reach it in order. */

export type NoteInputAction = {type: 'insert'; text: string} | {type: 'delete-back'} | {type: 'delete-word'} | {type: 'clear'};

/** Longest note kept; past this the input ignores more keys. */
export const maxNoteLength = 2000;

export function noteInputReducer(value: string, action: NoteInputAction): string {
	switch (action.type) {
		case 'insert':
			return (value + action.text).slice(0, maxNoteLength);
		case 'delete-back':
			return [...value].slice(0, -1).join('');
		case 'delete-word':
			return value.replace(/\S*\s*$/, '');
		case 'clear':
			return '';
	}
}
