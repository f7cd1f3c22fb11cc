import type {RunEvent} from '../engine/types.ts';
import {fileProblem} from '../files/file-problem.ts';
import {readRegularFile} from '../files/read-regular-file.ts';
import {escapeDeep, escapeUntrusted} from '../text/escape.ts';
import {journalVersion, JournalError, maxJournalBytes, type Journal, type JournalHeader} from './header.ts';

/** Every event a journal may hold (a record, so that an event type added to the engine must be added here). */
const known: Record<RunEvent['type'], true> = {
	'run-started': true,
	'target-identified': true,
	'step-started': true,
	'step-finished': true,
	'step-skipped': true,
	'manual-done': true,
	'note-set': true,
	'fix-chosen': true,
	'report-exported': true,
	'actions-checked': true,
	'action-taken': true,
	'verified': true,
	'target-switched': true,
	'watch-started': true,
	'watch-sampled': true,
	'watch-stopped': true,
	'run-finished': true,
	'session-ended': true,
	'session-resumed': true,
};
const eventTypes = new Set(Object.keys(known));

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
 * A journal may have been edited by anyone who could write the file: every
 * string in it (and every key) is escaped before it can reach a screen or a
 * report. The SQL a step ran keeps its line breaks and tabs (as the live
 * session reports it); nothing else does.
 */
function untrusted<T extends object>(value: T): T {
	const safe = escapeDeep(value);
	const keepSql = (raw: {query?: unknown} | undefined, out: {query?: string} | undefined) => {
		if (out && typeof raw?.query === 'string') out.query = escapeUntrusted(raw.query, {keepNewlines: true, keepTabs: true});
	};
	const raw = value as {type?: unknown; outcome?: {query?: unknown}; observations?: {outcome?: {query?: unknown}}[]};
	if (raw.type === 'step-finished') keepSql(raw.outcome, (safe as {outcome?: {query?: string}}).outcome);
	// A verification's observations are steps run again: their SQL as well.
	if (raw.type === 'verified' && Array.isArray(raw.observations))
		raw.observations.forEach((o, i) => keepSql(o?.outcome, (safe as {observations: {outcome?: {query?: string}}[]}).observations[i]?.outcome));
	return safe;
}

/**
 * Reads a session journal: a regular file of at most maxJournalBytes. A last
 * line cut off mid-write (kill -9, a full disk) is dropped and reported; any
 * other damage, a missing file or a journal from a newer pg500 is a JournalError.
 */
export function readJournal(file: string): Journal {
	const name = escapeUntrusted(file);
	let text: string;
	try {
		text = readRegularFile(file, maxJournalBytes, 'pg500 journal');
	} catch (error) {
		throw new JournalError(`${name}: cannot read journal: ${fileProblem(error)}`);
	}
	const lines = text.split('\n');
	// A complete journal ends with a newline, so the last piece is empty; anything else was cut off.
	const tail = lines.pop()!;
	const truncatedLastLine = tail !== '';
	if (lines.length === 0) {
		throw new JournalError(`${name}: not a pg500 journal (${text === '' ? 'empty file' : 'no complete header line'})`);
	}
	const parsedHeader = parseLine(lines[0]!);
	if (!isHeader(parsedHeader)) throw new JournalError(`${name}: not a pg500 journal (line 1 is not a session header)`);
	if (parsedHeader.version !== journalVersion)
		throw new JournalError(`${name}: journal version ${escapeUntrusted(String(parsedHeader.version))} is not supported by this pg500 (it reads version ${journalVersion})`);
	// The runbook text is parsed (and so checked and escaped) like any runbook file when it is replayed.
	const header = {...untrusted({...parsedHeader, runbookText: ''}), runbookText: parsedHeader.runbookText};

	// A damaged line (a disk that filled up under an older pg500, an edit) ends the reading there:
	// everything before it is kept, and the caller says so.
	const events: RunEvent[] = [];
	let damagedLine: number | undefined;
	for (let i = 1; i < lines.length; i++) {
		const event = parseLine(lines[i]!);
		if (!isEvent(event)) {
			damagedLine = i + 1;
			break;
		}
		events.push(untrusted(event));
	}
	return {path: file, header, events, truncatedLastLine, ...(damagedLine === undefined ? {} : {damagedLine})};
}
