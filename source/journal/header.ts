import type {RunEvent, TargetInfo} from '../engine/types.ts';

/* The journal file format: JSON Lines, a header then one RunEvent per line.
 * The header carries the full runbook text, so a session can be resumed or
 * re-rendered even after the runbook file changed or the bundle was upgraded. */

export const journalVersion = 1;

/** Larger than any session writes (rows are capped): a bigger file is not a journal pg500 wrote. */
export const maxJournalBytes = 64 * 1024 * 1024;

export interface JournalHeader {
	type: 'session';
	version: typeof journalVersion;
	runbookPath: string;
	runbookText: string;
	/** The target as reports name it: never a password. */
	target: TargetInfo;
	/**
	 * The options the session ran with (passwords removed). A journal is read
	 * back as untrusted input: `resume` takes only the report format from them,
	 * never a path to write or a target to connect to.
	 */
	options: Record<string, unknown>;
	startedAt: string;
}

export interface Journal {
	path: string;
	header: JournalHeader;
	events: RunEvent[];
	/** The last line was cut off (the process died mid-write); everything before it is kept. */
	truncatedLastLine: boolean;
	/** The first line (1-based) that is not a pg500 event: reading stopped there, everything before it is kept. */
	damagedLine?: number;
}

/** A journal that cannot be read: the commands print `message` as one line and exit 3. */
export class JournalError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'JournalError';
	}
}
