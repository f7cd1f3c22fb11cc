import type {Readable} from 'node:stream';
import type {Notice, Row, StepOutcome} from '../engine/types.ts';
import type {RunnableStep} from '../runbook/schema.ts';
import {escapeRow, escapeUntrusted} from '../text/escape.ts';
import {fileTail, streamTail, type LogBytes} from './log-source.ts';
import {postgresLogCommands, serverLogCommands, serverLogManual} from './manual-commands.ts';
import {newestLogFile, readLogSettings, sqlTail, type PgLogSettings, type Sql} from './pg-log-sql.ts';
import {postgresLogClassifier, type Own} from './postgres-log.ts';
import {scanLog, type LineClassifier, type ScanResult} from './scan.ts';
import {serverLogClassifier} from './server-log.ts';
import {TimeReader} from './timestamps.ts';

export {LogFileError} from './log-file-error.ts';

export interface LogContext {
	serverLog?: string;
	pgLog?: string;
	/** Read only the last this many bytes of each log. */
	tailBytes: number;
	/** Read only lines from the last this many minutes; undefined reads every line of the tail. */
	sinceMinutes?: number;
	/** The safe session, when connected: the Postgres log may be readable through it. */
	sql?: Sql;
	/** pg500's own sessions: their lines in the Postgres log are not evidence. */
	own?: Own;
	now?: Date;
	/** The zone of timestamps written without one (this machine's unless a test says). */
	hostZone?: string;
	/** What `-` reads (standard input unless a test passes a stream). */
	stdin?: Readable;
}

export const logColumns = ['class', 'cause', 'count', 'first_seen', 'last_seen', 'per_minute', 'per_minute_last_5m', 'sample', 'example', 'sqlstate'];

/**
 * Runs a `kind: log` step. Expected problems (no log given, a role that may
 * not read files) are outcomes; a file the user named that cannot be read
 * throws LogFileError (exit 3, one line naming the path).
 */
export async function runLogStep(step: RunnableStep, context: LogContext): Promise<StepOutcome> {
	const now = context.now ?? new Date();
	if (step.source === 'server-log') {
		if (!context.serverLog) return manual(serverLogManual, serverLogCommands);
		const bytes = await openNamed(context.serverLog, context);
		const times = new TimeReader({now, hostZone: context.hostZone});
		return outcome(await scan(bytes, serverLogClassifier(), context, times), bytes, nameOf(context.serverLog), context, times);
	}

	const settings = context.sql ? await readLogSettings(context.sql).catch(() => null) : null;
	// Postgres writes its log_timezone's abbreviation: that zone reads CST as Chicago or Shanghai.
	const times = new TimeReader({now, serverZone: settings?.logTimezone, hostZone: context.hostZone});
	const classifierFor = (fileName?: string) =>
		postgresLogClassifier({linePrefix: settings?.logLinePrefix, fileName, times, own: context.own, database: settings?.database});
	// A file the operator named wins: they know which server's log they mean.
	if (context.pgLog) {
		const bytes = await openNamed(context.pgLog, context);
		const classifier = classifierFor(context.pgLog === '-' ? undefined : context.pgLog);
		return outcome(await scan(bytes, classifier, context, times), bytes, nameOf(context.pgLog), context, times);
	}
	const commands = () => postgresLogCommands(settings, context.tailBytes);
	if (!context.sql || !settings) return manual(pgLogManual('the tool is not connected to the server', true), commands());
	const why = unreadableReason(settings);
	if (why) return manual(pgLogManual(why, false), commands());
	try {
		const file = await newestLogFile(context.sql, settings);
		if (!file) return manual(pgLogManual('the server’s log directory holds no file yet', false), commands());
		const bytes = sqlTail(context.sql, file, context.tailBytes);
		return outcome(await scan(bytes, classifierFor(file.name), context, times), bytes, `${file.path} (read through SQL)`, context, times);
	} catch (error) {
		return manual(pgLogManual(`reading it through SQL failed (${(error as Error).message})`, false), commands());
	}
}

function nameOf(path: string): string {
	return path === '-' ? 'standard input' : path;
}

function openNamed(path: string, context: LogContext): Promise<LogBytes> | LogBytes {
	return path === '-' ? streamTail(context.stdin ?? process.stdin, context.tailBytes) : fileTail(path, context.tailBytes);
}

function scan(bytes: LogBytes, classifier: LineClassifier, context: LogContext, times: TimeReader): Promise<ScanResult> {
	return scanLog(bytes.chunks, classifier, {times, sinceMinutes: context.sinceMinutes});
}

function unreadableReason(s: PgLogSettings): string | undefined {
	if (!s.mayRead)
		return `the role ${s.role ?? ''} may not read the server’s log files (it needs pg_monitor for pg_ls_logdir() and EXECUTE on pg_read_binary_file)`;
	if (s.loggingCollector === 'off') return 'logging_collector is off, so the server writes its log to its own standard error (the service manager or container keeps it)';
	const destinations = (s.logDestination ?? '').split(',').map(d => d.trim());
	if (!destinations.some(d => d === 'stderr' || d === 'csvlog' || d === 'jsonlog')) return `log_destination is ${s.logDestination}: no file the collector writes`;
	return undefined;
}

function pgLogManual(why: string, suggestFlag: boolean): string {
	return `The tool cannot read the PostgreSQL log: ${escapeUntrusted(why)}. Read it on the database host with the commands below${suggestFlag ? ', or pass it with --pg-log PATH' : ' (or pass it with --pg-log PATH)'}; ERROR and FATAL lines say why requests failed.`;
}

function manual(why: string, commands: Row[]): StepOutcome {
	const rows = commands.map(escapeRow);
	return {rows, rowCount: rows.length, columns: ['command'], manual: why};
}

const mb = (bytes: number) => (bytes < 1 << 20 ? `${(bytes / 1024).toFixed(1)} kB` : `${(bytes / (1 << 20)).toFixed(1)} MB`);

/** `11:00 UTC`, with the date when it is not the day of `now`. */
function clock(at: Date, now: Date): string {
	const iso = at.toISOString();
	return `${iso.slice(0, 10) === now.toISOString().slice(0, 10) ? iso.slice(11, 16) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`} UTC`;
}

/** 90 s, 30 min, 1 h, 2.5 h. */
function duration(minutes: number): string {
	return minutes < 1 ? `${Math.round(minutes * 60)} s` : minutes < 60 ? `${Math.round(minutes)} min` : `${Math.round((minutes / 60) * 10) / 10} h`;
}

/** Which lines were read, by time: the step says so, so no one takes a quiet window for a quiet incident. */
function windowText(result: ScanResult, context: LogContext, bytes: LogBytes, now: Date): string {
	const since = context.sinceMinutes;
	if (result.sinceUnapplied === 'no-timestamps') return 'every line (no line carried a timestamp, so --log-since could not apply)';
	if (result.sinceUnapplied === 'unknown-zone') return 'every line from the first whose time zone could not be read (so --log-since could not apply to them)';
	if (since === undefined) return result.start && result.end ? `every line (${clock(result.start, now)} to ${clock(result.end, now)}; --log-since narrows it)` : 'every line';
	const cutoff = result.start!;
	const {totalBytes, readBytes} = bytes.stats;
	const cut = totalBytes !== null && totalBytes > readBytes && result.firstLine && result.firstLine > cutoff;
	return `lines of the last ${duration(since)} (since ${clock(cutoff, now)}; --log-since changes it)${
		cut ? `, but the bytes read reach back only to ${clock(result.firstLine!, now)} (--log-tail-mb reads more)` : ''
	}`;
}

function outcome(result: ScanResult, bytes: LogBytes, name: string, context: LogContext, times: TimeReader): StepOutcome {
	const now = times.now;
	const end = result.end;
	const rows = result.tally.rows(end);
	const {counts} = result;
	const {totalBytes, readBytes} = bytes.stats;
	const what = totalBytes !== null && totalBytes > readBytes ? `the last ${mb(readBytes)} of ${mb(totalBytes)}` : mb(readBytes);
	const notices: Notice[] = [
		{
			id: 'log-window',
			severity: 'info',
			message: escapeUntrusted(
				(totalBytes ?? readBytes) === 0
					? `${name} is empty: no line to read`
					: `Read ${what} of ${name}${result.docker ? ' (a Docker json-file log, read inside its envelope)' : ''}, ${windowText(result, context, bytes, now)}: ${counts.lines} lines${
							context.sinceMinutes !== undefined && !result.sinceUnapplied ? `, ${result.windowLines} in the window` : ''
						}, ${result.tally.matching} counted`,
			),
		},
		...times.notices(),
	];
	if (result.ownSkipped > 0)
		notices.push({id: 'log-own', severity: 'info', message: `${result.ownSkipped} messages of pg500's own sessions were not counted: they are not the application's`});
	if (result.elsewhereSkipped > 0)
		notices.push({id: 'log-elsewhere', severity: 'info', message: `${result.elsewhereSkipped} messages of sessions on other databases of this server were not counted: they are not the target's`});
	const odd = [
		counts.truncated && `${counts.truncated} over-long lines cut`,
		counts.invalidUtf8 && `${counts.invalidUtf8} lines of invalid UTF-8`,
		counts.binary && `${counts.binary} lines with binary data`,
	].filter(Boolean);
	if (odd.length > 0) notices.push({id: 'log-bad-input', severity: 'info', message: `Odd input, shown escaped: ${odd.join(', ')}`});
	const out: StepOutcome = {rows, rowCount: rows.length, columns: logColumns, notices};
	if (result.histogram) out.histogram = result.histogram;
	return out;
}
