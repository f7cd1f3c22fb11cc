import {classBySqlstate, classifyText, lockWaitClass, postgresClasses, unclassified, type LogClass} from './log-classes.ts';
import {csvColumns, openQuote, parseCsvRecord} from './csv-record.ts';
import {genericPattern, prefixPattern} from './log-line-prefix.ts';
import type {LineClassifier, LineVerdict} from './scan.ts';
import {parseTimestamp} from './timestamps.ts';

/* The PostgreSQL server log: stderr with any log_line_prefix, csvlog or jsonlog.
 * Counted: ERROR, FATAL and PANIC messages (by SQLSTATE when the format
 * carries it, else by text), lock waits and backend crashes from LOG lines.
 * DETAIL lines belong to the message before them. */

export type PgLogFormat = 'stderr' | 'csv' | 'json';

const failing = new Set(['ERROR', 'FATAL', 'PANIC']);
const crash = /\(PID \d+\) was terminated by signal/;
const crashClass = postgresClasses.find(k => k.class === 'crash-restart')!;
/** Cheap test before parsing a line at all. */
const interesting = /ERROR|FATAL|PANIC|DETAIL|still waiting for|terminated by signal/;
/** Lines that continue the message before them (never a new record). */
const continuation = /(?:DETAIL|HINT|STATEMENT|CONTEXT|QUERY|LOCATION):  /;
const csvStart = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?(?: [A-Za-z0-9+:-]+)?,/;
/** A csvlog record longer than this is broken (or the window cut into it): dropped. */
const maxRecordChars = 65_536;

interface PgRecord {
	severity: string;
	sqlstate: string | null;
	message: string;
}

/**
 * `still waiting for ShareLock on transaction 7 after 1000.072 ms`: written once a wait
 * outlasts deadlock_timeout. Set below its 1 s default (to see waits sooner), it logs the
 * milliseconds every busy writer waits for the data_version row: only a wait of a second
 * or more is contention worth counting.
 */
const lockWaitMs = /after ([\d.]+) ms/;
const longLockWaitMs = 1000;
function longLockWait(message: string): boolean {
	const ms = lockWaitMs.exec(message)?.[1];
	return ms === undefined || Number(ms) >= longLockWaitMs;
}

/** The class of a message, or undefined when it is not counted. */
export function classifyRecord(record: PgRecord): LogClass | undefined {
	if (failing.has(record.severity)) {
		// log_error_verbosity = verbose writes `ERROR:  40P01: deadlock detected`.
		const verbose = /^([0-9A-Z]{5}): /.exec(record.message);
		return classifyText(record.message) ?? classBySqlstate(record.sqlstate ?? verbose?.[1]) ?? unclassified;
	}
	if (record.severity === 'LOG') {
		if (lockWaitClass.pattern.test(record.message)) return longLockWait(record.message) ? lockWaitClass : undefined;
		if (crash.test(record.message)) return crashClass;
	}
	return undefined;
}

/** The format, from the file name or the first line that shows it (a tail window may start mid-record). */
export function detectFormat(line: string, fileName?: string): PgLogFormat | undefined {
	if (fileName?.endsWith('.json')) return 'json';
	if (fileName?.endsWith('.csv')) return 'csv';
	if (line.startsWith('{"')) return 'json';
	if (csvStart.test(line)) return 'csv';
	return genericPattern.test(line) ? 'stderr' : undefined;
}

export interface PgLogOptions {
	format?: PgLogFormat;
	/** The server's log_line_prefix, when known (read through SQL). */
	linePrefix?: string | null;
	fileName?: string;
	now: Date;
}

export function postgresLogClassifier(options: PgLogOptions): LineClassifier {
	let format = options.format;
	const known = options.linePrefix ? prefixPattern(options.linePrefix) : undefined;
	let csvPending = '';

	const verdict = (record: PgRecord, text: string, time: Date | null | undefined, detail?: string): LineVerdict => {
		const klass = classifyRecord(record);
		if (!klass) return {kind: 'end'};
		return {kind: 'count', klass, text: detail ? `${text} DETAIL: ${detail}` : text, time};
	};

	const stderr = (line: string): LineVerdict => {
		if (line.startsWith('\t')) return {kind: 'skip'};
		if (!interesting.test(line)) return continuation.test(line) ? {kind: 'skip'} : {kind: 'end'};
		const m = known?.exec(line) ?? genericPattern.exec(line);
		if (!m?.groups) return {kind: 'skip'};
		const {severity, message, sqlstate} = m.groups;
		if (severity === 'DETAIL') return {kind: 'detail', text: `DETAIL: ${message}`};
		if (continuation.test(`${severity}:  `)) return {kind: 'skip'};
		return verdict({severity: severity!, sqlstate: sqlstate ?? null, message: message!}, line, undefined);
	};

	const csv = (line: string): LineVerdict => {
		if (!csvPending && !csvStart.test(line)) return {kind: 'skip'};
		csvPending = csvPending ? `${csvPending}\n${line}` : line;
		if (csvPending.length > maxRecordChars) {
			csvPending = '';
			return {kind: 'skip'};
		}
		if (openQuote(csvPending)) return {kind: 'skip'};
		const record = csvPending;
		csvPending = '';
		if (!interesting.test(record)) return {kind: 'skip'};
		const f = parseCsvRecord(record);
		const at = f[csvColumns.logTime] ?? '';
		const text = `${at} [${f[csvColumns.pid] ?? ''}] ${f[csvColumns.severity] ?? ''}:  ${f[csvColumns.message] ?? ''}`;
		return verdict(
			{severity: f[csvColumns.severity] ?? '', sqlstate: f[csvColumns.sqlstate] || null, message: f[csvColumns.message] ?? ''},
			text,
			parseTimestamp(at, options.now),
			f[csvColumns.detail] || undefined,
		);
	};

	const json = (line: string): LineVerdict => {
		if (!interesting.test(line)) return {kind: 'skip'};
		let o: Record<string, unknown>;
		try {
			o = JSON.parse(line) as Record<string, unknown>;
		} catch {
			return {kind: 'skip'};
		}
		const str = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : '');
		const text = `${str('timestamp')} [${String(o.pid ?? '')}] ${str('error_severity')}:  ${str('message')}`;
		return verdict(
			{severity: str('error_severity'), sqlstate: str('state_code') || null, message: str('message')},
			text,
			parseTimestamp(str('timestamp'), options.now),
			str('detail') || undefined,
		);
	};

	return {
		classify(line: string): LineVerdict {
			format ??= detectFormat(line, options.fileName);
			if (!format) return {kind: 'skip'};
			return format === 'csv' ? csv(line) : format === 'json' ? json(line) : stderr(line);
		},
	};
}
