import {readFile, stat} from 'node:fs/promises';
import pgpass from 'pgpass/lib/helper.js';

/* ~/.pgpass through the `pgpass` package that pg itself depends on (one
 * parser in the bundle): the first line whose host:port:database:user match
 * gives the password; a file others can read is ignored, as libpq does.
 * The package's own reader (getPassword) lets a later matching line of the
 * same chunk overwrite the first, so the lines are walked here, first match wins. */

export interface PgpassKey {
	host: string;
	port: number;
	database: string;
	user: string;
}

/** Far beyond any password file; a larger one is not read. */
const maxPgpassBytes = 1024 * 1024;

/** $PGPASSFILE, else ~/.pgpass. */
export function pgpassPath(env: NodeJS.ProcessEnv): string {
	return pgpass.getFileName(env);
}

/** The password for `key` from the password file, or undefined (no file, unsafe permissions, no match). */
export async function lookupPgpass(file: string, key: PgpassKey): Promise<string | undefined> {
	// libpq matches a Unix-socket directory as `localhost`.
	const wanted = {...key, host: key.host.startsWith('/') ? 'localhost' : key.host, port: String(key.port)};
	try {
		const info = await stat(file);
		if (!info.isFile() || (info.mode & 0o077) !== 0 || info.size > maxPgpassBytes) return undefined;
		for (const line of (await readFile(file, 'utf8')).split(/\r?\n/)) {
			const entry = pgpass.parseLine(line);
			if (entry && pgpass.isValidEntry(entry) && pgpass.match(wanted, entry)) return entry.password;
		}
	} catch {
		// Unreadable: as if there were none.
	}
	return undefined;
}
