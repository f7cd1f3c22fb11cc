import type {ReportOptions} from '../session/options.ts';
import {JournalError} from '../journal/header.ts';
import {readJournal} from '../journal/read.ts';
import {replayJournal} from '../journal/replay.ts';
import {renderReport} from '../report/render.ts';
import {writeFileAtomic} from '../report/write-file-atomic.ts';

/**
 * `pg500 report JOURNAL --format F [--output FILE] [--redact-literals]`:
 * renders a saved session again. 0 on success; 3 with one line when the
 * journal cannot be read or the output cannot be written.
 */
export async function report(journal: string, options: ReportOptions): Promise<number> {
	let text: string;
	try {
		const read = readJournal(journal);
		if (read.truncatedLastLine) process.stderr.write(`pg500: ${journal}: the last line was cut off (the session was killed mid-write); reporting everything before it\n`);
		text = renderReport(replayJournal(read), options.format, {redactLiterals: options.redactLiterals ?? false});
	} catch (error) {
		if (!(error instanceof JournalError)) throw error;
		process.stderr.write(`pg500: ${error.message}\n`);
		return 3;
	}
	if (options.output === undefined) {
		process.stdout.write(text);
		return 0;
	}
	try {
		writeFileAtomic(options.output, text);
	} catch (error) {
		process.stderr.write(`pg500: cannot write ${options.output}: ${writeProblem(error as NodeJS.ErrnoException)}\n`);
		return 3;
	}
	return 0;
}

function writeProblem(error: NodeJS.ErrnoException): string {
	const known: Record<string, string> = {ENOENT: 'no such directory', EACCES: 'permission denied', EISDIR: 'is a directory', ENOSPC: 'no space left on device', EROFS: 'read-only file system'};
	return (error.code && known[error.code]) ?? error.message;
}
