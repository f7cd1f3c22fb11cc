import {classBySqlstate, classifyText, lockWaitClass, poolerClasses, postgresClasses, unclassified, type LogClass} from './log-classes.ts';
import {csvColumns, openQuote, parseCsvRecord} from './csv-record.ts';
import {genericPattern, prefixFields, prefixPattern} from './log-line-prefix.ts';
import {skipLine, type LineClassifier, type LineVerdict} from './scan.ts';
import type {LineTime, TimeReader} from './timestamps.ts';

/* The PostgreSQL server log: stderr with any log_line_prefix, csvlog or jsonlog.
 * Counted: ERROR, FATAL and PANIC messages (by SQLSTATE when the format
 * carries it, else by text), lock waits and backend crashes from LOG lines.
 * DETAIL lines belong to their message: the one the same backend wrote last
 * (by pid, when the format carries it: lines of backends interleave when no
 * logging collector serialises them). pg500's own sessions are not evidence:
 * their lines are skipped, by application name or else by pid. Nor are other
 * databases' sessions, where the format names the database (csvlog, jsonlog,
 * a prefix with %d): one server's log serves every database on it. */

export type PgLogFormat = 'stderr' | 'csv' | 'json';

const failing = new Set(['ERROR', 'FATAL', 'PANIC']);
const crash = /\(PID \d+\) was terminated by signal/;
const crashClass = postgresClasses.find(k => k.class === 'crash-restart')!;
/** Cheap test before parsing a line at all. */
const interesting = /ERROR|FATAL|PANIC|DETAIL|still waiting for|terminated by signal/;
/** Severities of lines that continue a message (never a new record). */
const continuations = new Set(['DETAIL', 'HINT', 'STATEMENT', 'CONTEXT', 'QUERY', 'LOCATION']);
const csvStart = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?(?: [A-Za-z0-9+:-]+)?,/;
/**
 * PgBouncer's log, given as the PostgreSQL log or mixed into it: one `pooler error:` line per
 * refusal (`… [pid] WARNING C-0x…: db/user@addr:port pooler error: query_wait_timeout`). Its
 * `closing because:` line says the same again and is not counted.
 */
const pgbouncerRefusal = /\[(\d+)\] (?:WARNING|LOG|ERROR) [CS]-0x[0-9a-f]+: \S+ pooler error: (.*)$/;
const poolerError = poolerClasses.find(k => k.class === 'pooler-error')!;
/** A csvlog record longer than this is broken (or the window cut into it): dropped. */
const maxRecordChars = 65_536;
/** A backend's DETAIL comes with its message; one this many lines later is not looked for any more. */
const detailWithinLines = 1000;

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

/** A message as one of the formats carries it: the backend's pid, application name and database where it has them. */
interface PgMessage extends PgRecord {
	pid: string | null;
	app: string | null;
	database: string | null;
	detail?: string;
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

/** A session of pg500's own: its backend pid, and when pg500 had it (a pid is reused by later backends). */
export interface OwnSession {
	pid: number;
	since: Date;
}

/** What tells pg500's own lines from the application's. */
export interface Own {
	/** Its application_name. */
	application: string;
	/** Its backends so far (a reconnect adds one): for formats without the application name. */
	sessions: readonly OwnSession[];
}

export interface PgLogOptions {
	format?: PgLogFormat;
	/** The server's log_line_prefix, when known (read through SQL). */
	linePrefix?: string | null;
	fileName?: string;
	times: TimeReader;
	/** pg500's own sessions: their lines are skipped. */
	own?: Own;
	/** The target's database: messages of sessions on another database are skipped. */
	database?: string | null;
}

/** Lines of the server's clock may precede pg500's (a second of skew): its own session is matched from a minute before. */
const clockSkewMs = 60_000;

export function postgresLogClassifier(options: PgLogOptions): LineClassifier {
	let format = options.format;
	const known = options.linePrefix ? prefixPattern(options.linePrefix) : undefined;
	const {times} = options;
	let csvPending = '';
	let lineNo = 0;
	/** Backends (pid, '' without pids) whose counted message's DETAIL may still come, with its line number. */
	const awaitingDetail = new Map<string, number>();

	const own = (pid: string | null, app: string | null, time: () => LineTime): boolean => {
		if (!options.own) return false;
		if (app !== null) return app === options.own.application;
		if (pid === null) return false;
		const session = options.own.sessions.find(s => String(s.pid) === pid);
		if (!session) return false;
		const at = time();
		return !(at instanceof Date) || at.getTime() >= session.since.getTime() - clockSkewMs;
	};

	/** The verdict on a new message; `text` is how a sample shows it. */
	const verdict = (m: PgMessage, text: string, time: () => LineTime): LineVerdict => {
		const record = m.pid ?? '';
		const klass = classifyRecord(m);
		awaitingDetail.delete(record);
		if (!klass) return {kind: 'end', record};
		if (own(m.pid, m.app, time)) return {kind: 'own', record};
		if (options.database && m.database && m.database !== options.database) return {kind: 'elsewhere', record};
		awaitingDetail.set(record, lineNo);
		return {kind: 'count', klass, text: m.detail ? `${text} DETAIL: ${m.detail}` : text, time: time(), record};
	};

	const stderr = (line: string): LineVerdict => {
		// A tab starts the next line of a multi-line message: same backend, same write, nothing to count.
		if (line.startsWith('\t')) return skipLine;
		const worthParsing = interesting.test(line);
		if (!worthParsing) {
			if (awaitingDetail.size === 0) return skipLine;
			const [oldest, at] = awaitingDetail.entries().next().value!;
			if (lineNo - at > detailWithinLines) awaitingDetail.delete(oldest);
		}
		const f = prefixFields(line, known);
		if (!f) return skipLine;
		const record = f.pid ?? '';
		if (continuations.has(f.severity)) {
			if (f.severity !== 'DETAIL' || !awaitingDetail.has(record)) return skipLine;
			awaitingDetail.delete(record);
			return {kind: 'detail', text: `DETAIL: ${f.message}`, record};
		}
		if (!worthParsing) {
			awaitingDetail.delete(record);
			return {kind: 'end', record};
		}
		return verdict(f, line, () => times.read(line));
	};

	const csv = (line: string): LineVerdict => {
		if (!csvPending && !csvStart.test(line)) return skipLine;
		csvPending = csvPending ? `${csvPending}\n${line}` : line;
		if (csvPending.length > maxRecordChars) {
			csvPending = '';
			return skipLine;
		}
		if (openQuote(csvPending)) return skipLine;
		const record = csvPending;
		csvPending = '';
		if (!interesting.test(record)) return skipLine;
		const f = parseCsvRecord(record);
		const at = f[csvColumns.logTime] ?? '';
		const pid = f[csvColumns.pid] ?? '';
		const message = {
			severity: f[csvColumns.severity] ?? '',
			sqlstate: f[csvColumns.sqlstate] || null,
			message: f[csvColumns.message] ?? '',
			pid: pid || null,
			app: f[csvColumns.applicationName] ?? null,
			database: f[csvColumns.databaseName] || null,
			detail: f[csvColumns.detail] || undefined,
		};
		return verdict(message, `${at} [${pid}] ${message.severity}:  ${message.message}`, () => times.read(at));
	};

	const json = (line: string): LineVerdict => {
		if (!interesting.test(line)) return skipLine;
		let o: Record<string, unknown>;
		try {
			o = JSON.parse(line) as Record<string, unknown>;
		} catch {
			return skipLine;
		}
		const str = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : '');
		const pid = o.pid === undefined ? '' : String(o.pid);
		const message = {
			severity: str('error_severity'),
			sqlstate: str('state_code') || null,
			message: str('message'),
			pid: pid || null,
			// jsonlog leaves out empty fields: a record without application_name has none.
			app: str('application_name'),
			database: str('dbname') || null,
			detail: str('detail') || undefined,
		};
		return verdict(message, `${str('timestamp')} [${pid}] ${message.severity}:  ${message.message}`, () => times.read(str('timestamp')));
	};

	return {
		classify(line: string): LineVerdict {
			lineNo++;
			if (line.includes(' pooler error: ')) {
				const refusal = pgbouncerRefusal.exec(line);
				if (refusal) return {kind: 'count', klass: classifyText(refusal[2]!, poolerClasses) ?? poolerError, text: line, time: times.read(line), record: `pgbouncer ${refusal[1]}`};
			}
			format ??= detectFormat(line, options.fileName);
			if (!format) return skipLine;
			return format === 'csv' ? csv(line) : format === 'json' ? json(line) : stderr(line);
		},
	};
}
