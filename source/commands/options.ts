import {Option, type Command} from 'commander';
import {UsageError} from './errors.ts';

/** Options shared by the commands that diagnose a target (`pg500`, `run`, `demo`, `resume`). */
export interface TargetOptions {
	url?: string;
	runbook?: string;
	serverLog?: string;
	pgLog?: string;
	logTailMb: number;
	/** Minutes of log to read back from now; Infinity (`all`) reads every line of the tail window, as does undefined. */
	logSince?: number;
	statementTimeout: number;
	color: boolean;
	debug?: boolean;
}

export interface ReportOptions {
	format: 'json' | 'markdown' | 'html';
	output?: string;
	redactLiterals?: boolean;
}

export function positiveInteger(name: string) {
	return (value: string): number => {
		const n = Number(value);
		if (!/^\d+$/.test(value) || n <= 0) throw new UsageError(`${name} must be a positive whole number, got "${value}"`);
		return n;
	};
}

/** The log window of an incident when none is given: the last hour. */
export const defaultLogSinceMinutes = 60;

/** A duration such as 30m, 2h or 90s, in minutes; `all` (Infinity) for every line of the tail window. */
export function parseLogSince(value: string): number {
	if (/^\s*all\s*$/i.test(value)) return Number.POSITIVE_INFINITY;
	const m = /^(\d+)\s*([smhd]?)$/.exec(value.trim());
	if (!m || Number(m[1]) === 0) throw new UsageError(`--log-since takes a duration such as 30m, 2h or 90s, or all, got "${value}"`);
	const n = Number(m[1]);
	return m[2] === 's' ? n / 60 : m[2] === 'h' ? n * 60 : m[2] === 'd' ? n * 1440 : n;
}

export function addTargetOptions(command: Command): Command {
	return command
		.option('--url <url>', 'target, as postgres://user@host:port/db?sslmode=… (else DATABASE_URL, else PG* variables)')
		.addOption(new Option('--postgres-url <url>', 'alias of --url (the denokv server’s own flag)').hideHelp())
		.option('--runbook <path>', 'another runbook file (default: the built-in postgres-500 runbook)')
		.option('--server-log <path>', "the denokv server's log to analyse; - reads standard input (.gz allowed)")
		.option('--pg-log <path>', 'the PostgreSQL server log, when it cannot be read through SQL')
		.option('--log-tail-mb <n>', 'read only the last N MB of each log', positiveInteger('--log-tail-mb'), 64)
		.option('--log-since <duration>', 'read only log lines from the last 30m / 2h / 1d; all reads every line of the tail window (default: 1h)', parseLogSince, defaultLogSinceMinutes)
		.option('--statement-timeout <ms>', "cap for each of the tool's own queries", positiveInteger('--statement-timeout'), 5000)
		.option('--no-color', 'no colours; symbols still mark severity (also NO_COLOR)')
		.option('--debug', 'show stack traces of internal errors');
}

export function addReportOptions(command: Command, defaultFormat: 'markdown' | 'json' | 'html' = 'markdown'): Command {
	return command
		.addOption(new Option('--format <format>', 'report format').choices(['json', 'markdown', 'html']).default(defaultFormat))
		.option('--output <file>', 'write the report there (atomically, mode 0600) instead of standard output')
		.option('--redact-literals', 'replace literals in query text with ? (for reports that leave the team)');
}

/** `--postgres-url` is an alias of `--url`; giving both with different values is a mistake. */
export function targetUrl(options: {url?: string; postgresUrl?: string}): string | undefined {
	if (options.url && options.postgresUrl && options.url !== options.postgresUrl)
		throw new UsageError('--url and --postgres-url name different targets; give one');
	return options.url ?? options.postgresUrl;
}
