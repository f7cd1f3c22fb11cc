import type {RunEvent, TargetInfo} from '../engine/types.ts';

/* The journal file format: JSON Lines, a header then one RunEvent per line.
 * The header carries the full runbook text, so a session can be resumed or
 * re-rendered even after the runbook file changed or the bundle was upgraded. */

export const journalVersion = 1;

export interface JournalHeader {
	type: 'session';
	version: typeof journalVersion;
	runbookPath: string;
	runbookText: string;
	/** The target as reports name it: never a password. */
	target: TargetInfo;
	/** The options the session ran with (passwords removed), so `resume` can run with the same ones. */
	options: Record<string, unknown>;
	startedAt: string;
}

export interface Journal {
	path: string;
	header: JournalHeader;
	events: RunEvent[];
	/** The last line was cut off (the process died mid-write); everything before it is kept. */
	truncatedLastLine: boolean;
}

/** A journal that cannot be read: the commands print `message` as one line and exit 3. */
export class JournalError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'JournalError';
	}
}
