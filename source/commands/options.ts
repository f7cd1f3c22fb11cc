import {Option, type Command} from 'commander';
import {UsageError} from '../errors.ts';
import {reportFormats, type ReportFormat} from '../report/render.ts';

/* The command line's options: how commander parses them (their meaning: session/options.ts). */

/**
 * A whole number from 1 to `max`. Every bound is one the tool can honour:
 * Node's timers overflow past 2^31-1 ms (and then fire at once), so a time is
 * capped well below; a size at what fits a byte count.
 */
export function positiveInteger(name: string, max: number, unit = '') {
	return (value: string): number => {
		const n = Number(value);
		if (!/^\d+$/.test(value) || n <= 0 || n > max)
			throw new UsageError(`${name} must be a whole number from 1 to ${max}${unit}, got "${value}"`);
		return n;
	};
}

/** 24 hours: no check, connection or capture of pg500 should wait longer. */
export const maxTimeoutMs = 24 * 60 * 60 * 1000;
/** 1 TB of log tail: more than any disk pg500 reads from; the byte count stays exact. */
export const maxLogTailMb = 1024 * 1024;
/** A year of log: further back is not an incident (`all` reads the whole tail window). */
const maxSinceMinutes = 366 * 24 * 60;

function collect(value: string, previous: string[] = []): string[] {
	return [...previous, value];
}

/** The log window of an incident when none is given: the last hour. */
export const defaultLogSinceMinutes = 60;

/** A duration such as 30m, 2h or 90s, in minutes; `all` (Infinity) for every line of the tail window. */
export function parseLogSince(value: string): number {
	if (/^\s*all\s*$/i.test(value)) return Number.POSITIVE_INFINITY;
	const m = /^(\d+)\s*([smhd]?)$/.exec(value.trim());
	if (!m || Number(m[1]) === 0) throw new UsageError(`--log-since takes a duration such as 30m, 2h or 90s, or all, got "${value}"`);
	const n = Number(m[1]);
	const minutes = m[2] === 's' ? n / 60 : m[2] === 'h' ? n * 60 : m[2] === 'd' ? n * 1440 : n;
	if (minutes > maxSinceMinutes) throw new UsageError(`--log-since must be at most 366 days (${maxSinceMinutes}m) or all, got "${value}"`);
	return minutes;
}

/** The target and how pg500 talks to it: what every command that connects takes. */
function addConnectionOptions(command: Command): Command {
	return command
		.option('--url <url>', 'target, as postgres://user@host:port/db?sslmode=… (else DATABASE_URL, else PG* variables)')
		.addOption(new Option('--postgres-url <url>', 'alias of --url (the denokv server’s own flag)').hideHelp());
}

const addRunbook = (command: Command) => command.option('--runbook <path>', 'another runbook file (default: the built-in postgres-500 runbook)');

const addStatementTimeout = (command: Command) =>
	command.option('--statement-timeout <ms>', "cap for each of the tool's own queries", positiveInteger('--statement-timeout', maxTimeoutMs, ' ms (24 hours)'), 5000);

/** Options every command that connects ends with. */
const addOutputOptions = (command: Command) =>
	command.option('--no-color', 'no colours; symbols still mark severity (also NO_COLOR)').option('--debug', 'show stack traces of internal errors');

export function addTargetOptions(command: Command): Command {
	addConnectionOptions(command).option(
		'--pgbouncer-url <url>',
		"PgBouncer's admin console, postgres://user@host:port/pgbouncer: its pools are read (SHOW only, on a short-lived connection of its own)",
	);
	addRunbook(command)
		.option('--server-log <path>', "the denokv server's log to analyse; - reads standard input (.gz allowed)")
		.option('--pg-log <path>', 'the PostgreSQL server log, when it cannot be read through SQL')
		.option('--log-tail-mb <n>', 'read only the last N MB of each log', positiveInteger('--log-tail-mb', maxLogTailMb, ' (1 TB)'), 64)
		.addOption(
			new Option('--log-since <duration>', 'read only log lines from the last 30m / 2h / 1d; all reads every line of the tail window')
				.argParser(parseLogSince)
				// Help shows the duration as typed, not the minutes it parses to.
				.default(defaultLogSinceMinutes, '1h'),
		);
	addStatementTimeout(command).option(
		'--app-role <role>',
		"the denokv server's database role, whose settings are judged (repeatable; default: the roles of the database's other sessions)",
		collect,
	);
	return addOutputOptions(command);
}

/** A day: a watch that samples less often than that watches nothing. */
const maxIntervalSeconds = 24 * 60 * 60;
/** A tenth of a second: faster, the watch's own query would be a real share of the server's work. */
const minIntervalSeconds = 0.1;

/** Seconds between two watch samples: a decimal number from 0.1 to 86400. */
export function parseInterval(value: string): number {
	const seconds = Number(value);
	if (!/^\d+(\.\d+)?$|^\.\d+$/.test(value.trim()) || !(seconds >= minIntervalSeconds && seconds <= maxIntervalSeconds))
		throw new UsageError(`--interval must be a number of seconds from ${minIntervalSeconds} to ${maxIntervalSeconds}, got "${value}"`);
	return seconds;
}

/** `pg500 watch`: the target, the server log to follow, and when and how to print the samples. */
export function addWatchOptions(command: Command): Command {
	addRunbook(addConnectionOptions(command)).option('--server-log <path>', "the denokv server's log to follow as it grows (its errors per minute become a figure)");
	addStatementTimeout(command)
		.option('--interval <seconds>', 'seconds between two samples (decimals allowed)', parseInterval, 2)
		.option('--count <n>', 'stop after N samples (default: until Ctrl-C)', positiveInteger('--count', 1_000_000_000))
		.addOption(new Option('--format <format>', 'one line per sample (default on a terminal: a refreshing view; otherwise json)').choices(['json', 'text']));
	return addOutputOptions(command);
}

export function addReportOptions(command: Command, defaultFormat: ReportFormat = 'markdown'): Command {
	return command
		.addOption(
			new Option('--format <format>', 'report format: summary is at most 6 plain lines for the incident channel, chat is Markdown without tables')
				.choices(reportFormats)
				.default(defaultFormat),
		)
		.option('--output <file>', 'write the report there (atomically, mode 0600) instead of standard output')
		.option('--include-sql', "markdown: each step's SQL, folded in <details> (the HTML report always has it folded)")
		.option('--redact-literals', 'replace literals in query text with ? (for reports that leave the team)');
}
