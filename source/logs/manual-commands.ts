import path from 'node:path';
import type {Row} from '../engine/types.ts';
import {preferredExtension, type PgLogSettings} from './pg-log-sql.ts';
import {quoteIdent} from '../sql/quote.ts';
import {insideSingleQuotes, shellWord} from '../text/shell.ts';

/* What the operator runs by hand when the tool cannot read a log itself. */

const errorsOnly = `grep -E 'ERROR|FATAL|PANIC|still waiting for'`;

export const serverLogCommands: Row[] = [
	{command: 'docker logs <container-id> 2>&1 | grep -i error'},
	{command: 'journalctl -u denokv --since "-30min"'},
	{command: 'RUST_LOG=error ./denokv --postgres-url <url> serve --access-token <token>'},
	{command: 'docker logs --since 30m <container-id> 2>&1 | pg500 run --server-log -'},
];

export const serverLogManual =
	'No --server-log given: the tool cannot see the denokv server log. Read it with one of these commands (the `Database error:` and `atomic_write failed:` lines say what failed), or pass it with --server-log PATH (- for standard input).';

/** log_filename's strftime escapes become a glob: postgresql-%Y-%m-%d_%H%M%S.log → postgresql-*.log. */
export function logFileGlob(logFilename: string, destination: string | null): string {
	let glob = logFilename.replace(/%./g, '*').replace(/\*+/g, '*').replace(/[^A-Za-z0-9._*-]/g, '?');
	const ext = preferredExtension(destination);
	// The collector names csv/json files after log_filename with .log replaced (or the extension added).
	if (ext !== '.log') glob = glob.endsWith('.log') ? `${glob.slice(0, -4)}${ext}` : `${glob}${ext}`;
	return glob;
}

const guideCommands: Row[] = [
	{command: `sudo -u postgres psql -c "SHOW log_directory;"`},
	{command: `sudo -u postgres psql -c "SHOW log_filename;"`},
	{command: `sudo tail -n 5000 /var/log/postgresql/postgresql-*.log | grep -iE 'error|fatal|panic'`},
];

/** Commands for this server, from the settings the role could see; the guide's when none. */
export function postgresLogCommands(settings: PgLogSettings | null, tailBytes: number): Row[] {
	if (!settings) return guideCommands;
	const destinations = (settings.logDestination ?? 'stderr').split(',').map(s => s.trim());
	if (settings.loggingCollector === 'off' || !destinations.some(d => d === 'stderr' || d === 'csvlog' || d === 'jsonlog')) {
		// Without the collector the server's stderr goes wherever its service manager sends it.
		return [
			{command: `journalctl -u postgresql --since "-30min" | ${errorsOnly}`},
			{command: `docker logs --since 30m <postgres-container-id> 2>&1 | ${errorsOnly}`},
			...(destinations.includes('syslog') ? [{command: `sudo grep -E 'ERROR|FATAL|PANIC' /var/log/syslog | tail -n 200`}] : []),
		];
	}
	const glob = logFileGlob(settings.logFilename ?? '*', settings.logDestination);
	const {logDirectory, dataDirectory} = settings;
	const directory =
		logDirectory && path.isAbsolute(logDirectory) ? logDirectory : logDirectory && dataDirectory ? path.join(dataDirectory, logDirectory) : null;
	// A role without pg_read_all_settings sees none of these: the operator looks them up first.
	const rows: Row[] = [];
	if (!logDirectory) rows.push({command: `sudo -u postgres psql -c "SHOW log_directory;"`});
	if (!settings.logFilename) rows.push({command: `sudo -u postgres psql -c "SHOW log_filename;"`});
	if (!directory) rows.push({command: `sudo -u postgres psql -c "SHOW data_directory;"`});
	const where = directory
		? `${shellWord(directory)}/${glob}`
		: logDirectory
			? `<data_directory>/${shellWord(logDirectory)}/${glob}`
			: `<log_directory>/${glob}`;
	const newest = `"$(ls -t ${where} | head -n 1)"`;
	const mb = Math.max(1, Math.round(tailBytes / (1 << 20)));
	rows.push({command: `sudo sh -c 'tail -c ${mb}M ${insideSingleQuotes(newest)}' | ${errorsOnly}`});
	rows.push({command: `sudo sh -c 'cat ${insideSingleQuotes(newest)}' | pg500 run --pg-log -`});
	if (settings.role && !settings.mayRead) {
		const role = quoteIdent(settings.role);
		rows.push({command: `GRANT pg_monitor TO ${role}; GRANT EXECUTE ON FUNCTION pg_read_binary_file(text, bigint, bigint) TO ${role};`});
	}
	return rows;
}
