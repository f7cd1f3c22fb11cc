import {execFileSync} from 'node:child_process';
import {closeSync, existsSync, openSync, readdirSync, readSync} from 'node:fs';
import path from 'node:path';

/**
 * PostgreSQL's own psql binary: `pg_config --bindir`, else the newest
 * /usr/lib/postgresql/N/bin. Never Debian's /usr/bin/psql, a Perl wrapper
 * (pg_wrapper) that adds ~50 ms to every call and would flatter pg500.
 */
export function realPsql(): string {
	const candidates: string[] = [];
	try {
		candidates.push(path.join(execFileSync('pg_config', ['--bindir'], {encoding: 'utf8'}).trim(), 'psql'));
	} catch {
		// No pg_config: look where Debian keeps the binaries.
	}
	const debian = '/usr/lib/postgresql';
	if (existsSync(debian))
		for (const major of readdirSync(debian).sort((a, b) => Number(b) - Number(a))) candidates.push(path.join(debian, major, 'bin', 'psql'));
	const found = candidates.find(file => existsSync(file) && !isPerlWrapper(file));
	if (!found) throw new Error('no psql binary found (pg_config --bindir, /usr/lib/postgresql/*/bin): install postgresql-client');
	return found;
}

/** A script (`#!`), not the compiled binary. */
function isPerlWrapper(file: string): boolean {
	const head = Buffer.alloc(2);
	const fd = openSync(file, 'r');
	try {
		readSync(fd, head, 0, 2, 0);
	} finally {
		closeSync(fd);
	}
	return head.toString('latin1') === '#!';
}
