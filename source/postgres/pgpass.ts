import {readFile, stat} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/* ~/.pgpass, read the way libpq reads it: the first line whose
 * host:port:database:user fields match (`*` matches anything) gives the
 * password. `\:` and `\\` escape. A file others can read is ignored, as libpq does. */

export interface PgpassKey {
	host: string;
	port: number;
	database: string;
	user: string;
}

/** Splits one line into its five fields, or undefined for comments and malformed lines. */
export function parsePgpassLine(line: string): string[] | undefined {
	if (line.startsWith('#') || line.trim() === '') return undefined;
	const fields: string[] = [];
	let current = '';
	for (let i = 0; i < line.length; i++) {
		const ch = line[i]!;
		if (ch === '\\' && i + 1 < line.length) current += line[++i];
		else if (ch === ':' && fields.length < 4) {
			fields.push(current);
			current = '';
		} else current += ch;
	}
	fields.push(current);
	return fields.length === 5 ? fields : undefined;
}

/** libpq matches a Unix-socket host against `localhost`. */
function hostForMatch(host: string): string {
	return host.startsWith('/') ? 'localhost' : host;
}

export function findPgpassPassword(text: string, key: PgpassKey): string | undefined {
	const wanted = [hostForMatch(key.host), String(key.port), key.database, key.user];
	for (const line of text.split(/\r?\n/)) {
		const fields = parsePgpassLine(line);
		if (fields && wanted.every((value, i) => fields[i] === '*' || fields[i] === value)) return fields[4];
	}
	return undefined;
}

export function pgpassPath(env: NodeJS.ProcessEnv): string {
	return env.PGPASSFILE ?? path.join(env.HOME ?? os.homedir(), '.pgpass');
}

/** The password for `key` from the password file, or undefined (no file, unsafe permissions, no match). */
export async function lookupPgpass(file: string, key: PgpassKey): Promise<string | undefined> {
	try {
		const info = await stat(file);
		if (!info.isFile() || (info.mode & 0o077) !== 0) return undefined;
		return findPgpassPassword(await readFile(file, 'utf8'), key);
	} catch {
		return undefined;
	}
}
