import type {Readable} from 'node:stream';
import type {Notice, Row, StepOutcome} from '../engine/types.ts';
import type {RunnableStep} from '../runbook/schema.ts';
import {escapeRow, escapeUntrusted} from '../text/escape.ts';
import {fileTail, streamTail, type LogBytes} from './log-source.ts';
import {postgresLogCommands, serverLogCommands, serverLogManual} from './manual-commands.ts';
import {newestLogFile, readLogSettings, sqlTail, type PgLogSettings, type Sql} from './pg-log-sql.ts';
import {postgresLogClassifier} from './postgres-log.ts';
import {scanLog, type LineClassifier, type ScanResult} from './scan.ts';
import {serverLogClassifier} from './server-log.ts';

export {LogFileError} from './log-file-error.ts';

export interface LogContext {
	serverLog?: string;
	pgLog?: string;
	/** Read only the last this many bytes of each log. */
	tailBytes: number;
	/** Read only lines from the last this many minutes. */
	sinceMinutes?: number;
	/** The safe session, when connected: the Postgres log may be readable through it. */
	sql?: Sql;
	now?: Date;
	/** What `-` reads (standard input unless a test passes a stream). */
	stdin?: Readable;
}

export const logColumns = ['class', 'cause', 'count', 'first_seen', 'last_seen', 'per_minute', 'sample', 'example', 'sqlstate'];

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
		return outcome(await scan(bytes, serverLogClassifier(), context, now), bytes, nameOf(context.serverLog));
	}

	const settings = context.sql ? await readLogSettings(context.sql).catch(() => null) : null;
	const classifierFor = (fileName?: string) => postgresLogClassifier({linePrefix: settings?.logLinePrefix, fileName, now});
	// A file the operator named wins: they know which server's log they mean.
	if (context.pgLog) {
		const bytes = await openNamed(context.pgLog, context);
		const classifier = classifierFor(context.pgLog === '-' ? undefined : context.pgLog);
		return outcome(await scan(bytes, classifier, context, now), bytes, nameOf(context.pgLog));
	}
	const commands = () => postgresLogCommands(settings, context.tailBytes);
	if (!context.sql || !settings) return manual(pgLogManual('the tool is not connected to the server', true), commands());
	const why = unreadableReason(settings);
	if (why) return manual(pgLogManual(why, false), commands());
	try {
		const file = await newestLogFile(context.sql, settings);
		if (!file) return manual(pgLogManual('the server’s log directory holds no file yet', false), commands());
		const bytes = sqlTail(context.sql, file, context.tailBytes);
		return outcome(await scan(bytes, classifierFor(file.name), context, now), bytes, `${file.path} (read through SQL)`);
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

function scan(bytes: LogBytes, classifier: LineClassifier, context: LogContext, now: Date): Promise<ScanResult> {
	return scanLog(bytes.chunks, classifier, {now, sinceMinutes: context.sinceMinutes});
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

function outcome(result: ScanResult, bytes: LogBytes, name: string): StepOutcome {
	const rows = result.tally.rows(result.spanMinutes);
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
					: `Read ${what} of ${name}: ${counts.lines} lines, ${result.tally.matching} counted${result.sinceIgnored ? '; no line carried a timestamp, so --log-since could not apply' : ''}`,
			),
		},
	];
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
