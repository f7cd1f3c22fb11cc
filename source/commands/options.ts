import {Option, type Command} from 'commander';
import {UsageError} from '../errors.ts';

/* The command line's options: how commander parses them (their meaning: session/options.ts). */

export function positiveInteger(name: string) {
	return (value: string): number => {
		const n = Number(value);
		if (!/^\d+$/.test(value) || n <= 0) throw new UsageError(`${name} must be a positive whole number, got "${value}"`);
		return n;
	};
}

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
	return m[2] === 's' ? n / 60 : m[2] === 'h' ? n * 60 : m[2] === 'd' ? n * 1440 : n;
}

export function addTargetOptions(command: Command): Command {
	return command
		.option('--url <url>', 'target, as postgres://user@host:port/db?sslmode=… (else DATABASE_URL, else PG* variables)')
		.addOption(new Option('--postgres-url <url>', 'alias of --url (the denokv server’s own flag)').hideHelp())
		.option('--pgbouncer-url <url>', "PgBouncer's admin console, postgres://user@host:port/pgbouncer: its pools are read (SHOW only, on a short-lived connection of its own)")
		.option('--runbook <path>', 'another runbook file (default: the built-in postgres-500 runbook)')
		.option('--server-log <path>', "the denokv server's log to analyse; - reads standard input (.gz allowed)")
		.option('--pg-log <path>', 'the PostgreSQL server log, when it cannot be read through SQL')
		.option('--log-tail-mb <n>', 'read only the last N MB of each log', positiveInteger('--log-tail-mb'), 64)
		.option('--log-since <duration>', 'read only log lines from the last 30m / 2h / 1d; all reads every line of the tail window (default: 1h)', parseLogSince, defaultLogSinceMinutes)
		.option('--statement-timeout <ms>', "cap for each of the tool's own queries", positiveInteger('--statement-timeout'), 5000)
		.option('--app-role <role>', "the denokv server's database role, whose settings are judged (repeatable; default: the roles of the database's other sessions)", collect)
		.option('--no-color', 'no colours; symbols still mark severity (also NO_COLOR)')
		.option('--debug', 'show stack traces of internal errors');
}

export function addReportOptions(command: Command, defaultFormat: 'markdown' | 'json' | 'html' = 'markdown'): Command {
	return command
		.addOption(new Option('--format <format>', 'report format').choices(['json', 'markdown', 'html']).default(defaultFormat))
		.option('--output <file>', 'write the report there (atomically, mode 0600) instead of standard output')
		.option('--redact-literals', 'replace literals in query text with ? (for reports that leave the team)');
}
