import type {Row} from '../engine/types.ts';
import {chunkBytes, dropPartialFirstLine, type LogBytes} from './log-source.ts';
import {quoteLiteral} from '../sql/quote.ts';

/* Reading the Postgres log through SQL: the newest file of pg_ls_logdir(),
 * its tail only, in 1 MB chunks of pg_read_binary_file (binary, so a line of
 * invalid UTF-8 cannot make the read fail; hex, so no byte is mangled). */

export type Sql = (text: string) => Promise<Row[]>;

export interface PgLogSettings {
	role: string | null;
	/** The database the session is on: the log serves every database of the server. */
	database: string | null;
	logDestination: string | null;
	loggingCollector: string | null;
	logDirectory: string | null;
	logFilename: string | null;
	dataDirectory: string | null;
	logLinePrefix: string | null;
	/** The zone of the log's timestamps (an IANA name such as America/Chicago). */
	logTimezone: string | null;
	/** May list the log directory and read files in it. */
	mayRead: boolean;
}

const settingNames = ['log_destination', 'logging_collector', 'log_directory', 'log_filename', 'data_directory', 'log_line_prefix', 'log_timezone'];

const str = (v: unknown) => (typeof v === 'string' ? v : null);

/** pg_settings hides what the role may not see instead of failing, so this never errors on privileges. */
export async function readLogSettings(sql: Sql): Promise<PgLogSettings> {
	const [who] = await sql(
		`SELECT current_user AS role, current_database() AS database,
			has_function_privilege('pg_ls_logdir()', 'EXECUTE') AS may_list,
			has_function_privilege('pg_read_binary_file(text, bigint, bigint)', 'EXECUTE') AS may_read`,
	);
	const rows = await sql(`SELECT name, setting FROM pg_settings WHERE name IN (${settingNames.map(quoteLiteral).join(', ')})`);
	const get = (name: string) => str(rows.find(r => r.name === name)?.setting);
	return {
		role: str(who?.role),
		database: str(who?.database),
		logDestination: get('log_destination'),
		loggingCollector: get('logging_collector'),
		logDirectory: get('log_directory'),
		logFilename: get('log_filename'),
		dataDirectory: get('data_directory'),
		logLinePrefix: get('log_line_prefix'),
		logTimezone: get('log_timezone'),
		mayRead: who?.may_list === true && who?.may_read === true,
	};
}

/** The extension the collector gives the file of the destination the tool parses best. */
export function preferredExtension(destination: string | null): string {
	const d = (destination ?? 'stderr').split(',').map(s => s.trim());
	return d.includes('jsonlog') ? '.json' : d.includes('csvlog') ? '.csv' : '.log';
}

export interface LogFileInfo {
	name: string;
	path: string;
	size: number;
}

const formatOfExtension: Record<string, string> = {'.json': 'jsonlog', '.csv': 'csvlog', '.log': 'stderr'};

/**
 * The file the server writes now (pg_current_logfile, 10+: modification times
 * tie within a second of a rotation), else the newest, of the preferred format
 * when there is one; null when the directory is empty.
 */
export async function newestLogFile(sql: Sql, settings: PgLogSettings): Promise<LogFileInfo | null> {
	const ext = preferredExtension(settings.logDestination);
	const current = await sql(`SELECT pg_current_logfile(${quoteLiteral(formatOfExtension[ext]!)}) AS path`)
		.then(rows => str(rows[0]?.path))
		.catch(() => null);
	const rows = await sql('SELECT name, size, modification FROM pg_ls_logdir() ORDER BY modification DESC, name DESC LIMIT 50');
	const files = rows.map(r => ({name: String(r.name), size: Number(r.size)}));
	const currentName = current?.split('/').pop();
	const pick = files.find(f => f.name === currentName) ?? files.find(f => f.name.endsWith(ext)) ?? files[0];
	if (!pick) return null;
	return {...pick, path: pick.name === currentName ? current! : `${settings.logDirectory ?? 'log'}/${pick.name}`};
}

/** The last tailBytes of the file, chunk by chunk. */
export function sqlTail(sql: Sql, file: LogFileInfo, tailBytes: number): LogBytes {
	const start = Math.max(0, file.size - tailBytes);
	const stats = {totalBytes: file.size, readBytes: file.size - start};
	async function* read(): AsyncIterable<Buffer> {
		for (let offset = start; offset < file.size; offset += chunkBytes) {
			const length = Math.min(chunkBytes, file.size - offset);
			const [row] = await sql(`SELECT encode(pg_read_binary_file(${quoteLiteral(file.path)}, ${offset}, ${length}), 'hex') AS chunk`);
			const chunk = Buffer.from(str(row?.chunk) ?? '', 'hex');
			if (chunk.length === 0) break;
			yield chunk;
		}
	}
	return {chunks: start > 0 ? dropPartialFirstLine(read()) : read(), stats};
}
