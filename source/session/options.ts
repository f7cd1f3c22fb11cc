import {UsageError} from '../errors.ts';
import type {ReportFormat} from '../report/render.ts';

/* What the options of a diagnosis mean, below the command line that parses
 * them (commands/options.ts): the executor, the reports and the faces share it. */

/** Options shared by the commands that diagnose a target (`pg500`, `run`, `demo`, `resume`). */
export interface TargetOptions {
	url?: string;
	/** PgBouncer's admin console, read by the pgbouncer step. */
	pgbouncerUrl?: string;
	runbook?: string;
	serverLog?: string;
	pgLog?: string;
	logTailMb: number;
	/** Minutes of log to read back from now; Infinity (`all`) reads every line of the tail window, as does undefined. */
	logSince?: number;
	statementTimeout: number;
	/** The application's roles, when its sessions cannot be seen (denokv down) or to add to them. */
	appRole?: string[];
	color: boolean;
	debug?: boolean;
}

/** `pg500 watch` (cli-contract.md): the target, the server log to follow, the cadence and the output. */
export interface WatchOptions {
	url?: string;
	postgresUrl?: string;
	runbook?: string;
	serverLog?: string;
	statementTimeout: number;
	color: boolean;
	debug?: boolean;
	/** Seconds between two samples. */
	interval: number;
	/** Samples to print before stopping; undefined: until stopped. */
	count?: number;
	/** One line per sample; undefined: a refreshing view on a terminal, else json. */
	format?: 'json' | 'text';
}

export interface ReportOptions {
	format: ReportFormat;
	output?: string;
	redactLiterals?: boolean;
	/** Markdown: each step's SQL, folded away. */
	includeSql?: boolean;
}

/** `--postgres-url` is an alias of `--url`; giving both with different values is a mistake. */
export function targetUrl(options: {url?: string; postgresUrl?: string}): string | undefined {
	if (options.url && options.postgresUrl && options.url !== options.postgresUrl)
		throw new UsageError('--url and --postgres-url name different targets; give one');
	return options.url ?? options.postgresUrl;
}
