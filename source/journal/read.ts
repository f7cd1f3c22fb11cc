import {readFileSync} from 'node:fs';
import type {RunEvent} from '../engine/types.ts';
import {journalVersion, JournalError, type Journal, type JournalHeader} from './header.ts';

const eventTypes = new Set<RunEvent['type']>([
	'run-started',
	'target-identified',
	'step-started',
	'step-finished',
	'step-skipped',
	'manual-done',
	'note-set',
	'fix-chosen',
	'report-exported',
	'run-finished',
	'session-ended',
	'session-resumed',
]);

function parseLine(line: string): unknown {
	try {
		return JSON.parse(line);
	} catch {
		return undefined;
	}
}

function isHeader(value: unknown): value is JournalHeader {
	const h = value as Partial<JournalHeader> | undefined;
	return (
		typeof h === 'object' &&
		h !== null &&
		h.type === 'session' &&
		typeof h.runbookPath === 'string' &&
		typeof h.runbookText === 'string' &&
		typeof h.startedAt === 'string' &&
		typeof h.target === 'object' &&
		h.target !== null &&
		typeof h.options === 'object'
	);
}

function isEvent(value: unknown): value is RunEvent {
	const e = value as {type?: unknown; at?: unknown} | undefined;
	return typeof e === 'object' && e !== null && eventTypes.has(e.type as RunEvent['type']) && typeof e.at === 'string';
}

/**
 * Reads a session journal. A last line cut off mid-write (kill -9, power
 * loss) is dropped and reported; any other damage, a missing file or a
 * journal from a newer pg500 is a JournalError.
 */
export function readJournal(file: string): Journal {
	let text: string;
	try {
		text = readFileSync(file, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
		throw new JournalError(`${file}: cannot read journal: ${reason}`);
	}
	const lines = text.split('\n');
	// A complete journal ends with a newline, so the last piece is empty; anything else was cut off.
	const tail = lines.pop()!;
	const truncatedLastLine = tail !== '';
	if (lines.length === 0) {
		throw new JournalError(`${file}: not a pg500 journal (${text === '' ? 'empty file' : 'no complete header line'})`);
	}
	const header = parseLine(lines[0]!);
	if (!isHeader(header)) throw new JournalError(`${file}: not a pg500 journal (line 1 is not a session header)`);
	if (header.version !== journalVersion)
		throw new JournalError(`${file}: journal version ${String(header.version)} is not supported by this pg500 (it reads version ${journalVersion})`);

	const events: RunEvent[] = [];
	for (let i = 1; i < lines.length; i++) {
		const event = parseLine(lines[i]!);
		if (!isEvent(event)) throw new JournalError(`${file}:${i + 1}: corrupt journal line (not a pg500 event)`);
		events.push(event);
	}
	return {path: file, header, events, truncatedLastLine};
}
