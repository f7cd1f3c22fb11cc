import type {ReportOptions} from '../session/options.ts';
import {writeProblem} from '../files/file-problem.ts';
import {readJournal} from '../journal/read.ts';
import {replayJournal} from '../journal/replay.ts';
import type {Journal} from '../journal/header.ts';
import {renderReport} from '../report/render.ts';
import {renderCommand, reportLocation} from '../report/location.ts';
import type {RunState} from '../engine/types.ts';
import {writeFileAtomic} from '../report/write-file-atomic.ts';
import {escapeUntrusted} from '../text/escape.ts';
import {UsageError} from '../errors.ts';
import {writeStdout} from './stdout.ts';

/** What was left out of a journal, as one warning line each (the report covers everything before it). */
export function journalWarnings(journal: Journal, name: string): string[] {
	const lines: string[] = [];
	if (journal.damagedLine !== undefined)
		lines.push(`${name}:${journal.damagedLine}: not a pg500 event (the journal was damaged there); reporting everything before it`);
	else if (journal.truncatedLastLine) lines.push(`${name}: the last line was cut off (the session was killed mid-write); reporting everything before it`);
	return lines;
}

/**
 * Where the full report is, for the summary: the file being written; for the
 * summary alone, the last full report the session exported (on the host that
 * wrote it), or how to render one.
 */
function fullReportLocation(state: RunState, journal: string, options: ReportOptions): string | undefined {
	if (options.format !== 'summary') return options.output === undefined ? undefined : reportLocation(options.output);
	const written = [...state.exports].reverse().find(e => e.format !== 'summary');
	if (!written) return renderCommand(escapeUntrusted(journal));
	const by = [...state.sessions].reverse().find(part => part.startedAt <= written.at)?.operator;
	const host = by?.slice(by.lastIndexOf('@') + 1);
	return host ? `${host}:${written.path}` : written.path;
}

/**
 * `pg500 report JOURNAL --format F [--output FILE] [--redact-literals]`:
 * renders a saved session again. 0 on success; 3 with one line when the
 * journal cannot be read or the output cannot be written. The journal is
 * untrusted input: read as a capped regular file, everything in it escaped.
 */
export async function report(journal: string, options: ReportOptions): Promise<number> {
	const read = readJournal(journal);
	for (const line of journalWarnings(read, escapeUntrusted(journal))) process.stderr.write(`pg500: ${line}\n`);
	const state = replayJournal(read);
	const text = renderReport(state, options.format, {
		redactLiterals: options.redactLiterals ?? false,
		includeSql: options.includeSql ?? false,
		location: fullReportLocation(state, journal, options),
	});
	if (options.output === undefined) {
		await writeStdout(text);
		return 0;
	}
	try {
		writeFileAtomic(options.output, text);
	} catch (error) {
		throw new UsageError(`cannot write ${escapeUntrusted(options.output)}: ${writeProblem(error)}`);
	}
	return 0;
}
