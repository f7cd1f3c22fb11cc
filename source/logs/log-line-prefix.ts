/* Postgres `log_line_prefix` → a regular expression that splits a stderr log
 * line into prefix fields, severity and message. Captured: %e (the SQLSTATE),
 * %p (the backend's pid: what ties a DETAIL to its message when lines of
 * several backends interleave), %a (the application name: pg500's own lines
 * are not evidence) and %d (the database: another database's lines are not
 * the target's). The timestamp is found by TimeReader on the whole line. */

const severities = 'LOG|ERROR|FATAL|PANIC|WARNING|NOTICE|INFO|DEBUG[1-5]?|DETAIL|HINT|STATEMENT|CONTEXT|QUERY|LOCATION';
const tail = `(?<severity>${severities}):\\s+(?<message>.*)$`;

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Fields captured by name (a name may appear once in a pattern: the first occurrence wins). */
const captured: Record<string, string> = {
	e: '(?<sqlstate>[0-9A-Z]{5})',
	p: '(?<pid>\\d+)',
	a: '(?<app>.*?)',
	d: '(?<database>.*?)',
};

const fields: Record<string, string> = {
	e: '[0-9A-Z]{5}',
	p: '\\d+',
	P: '\\d*',
	l: '\\d+',
	n: '\\d+(?:\\.\\d+)?',
	m: '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}(?: \\S+)?',
	t: '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(?: \\S+)?',
	s: '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(?: \\S+)?',
};

/** A matcher for lines written with this prefix. */
export function prefixPattern(prefix: string): RegExp {
	let pattern = '';
	let optionalFrom = -1;
	const named = new Set<string>();
	for (let i = 0; i < prefix.length; i++) {
		const ch = prefix[i]!;
		if (ch !== '%') {
			pattern += escapeRegex(ch);
			continue;
		}
		// Padding such as %-10u or %5p.
		const m = /^-?\d*(.)/.exec(prefix.slice(i + 1));
		if (!m) break;
		i += m[0].length;
		const escape = m[1]!;
		if (escape === '%') pattern += '%';
		// %q: what follows is written only by session processes; background processes stop here.
		else if (escape === 'q') optionalFrom = pattern.length;
		else {
			const padded = m[0].length > 1;
			const field = captured[escape] && !named.has(escape) ? captured[escape] : (fields[escape] ?? '.*?');
			named.add(escape);
			pattern += `${padded ? ' *' : ''}${field}${padded ? ' *' : ''}`;
		}
	}
	if (optionalFrom >= 0) pattern = `${pattern.slice(0, optionalFrom)}(?:${pattern.slice(optionalFrom)})?`;
	return new RegExp(`^${pattern}${tail}`);
}

/** For an unknown prefix: the first `SEVERITY:  ` (Postgres writes two spaces after it). */
export const genericPattern = new RegExp(`^(?<prefix>.*?)\\b(?<severity>${severities}):  (?<message>.*)$`);

/** The pid in an unknown prefix: `[123]` (the default `%m [%p] `, syslog's `postgres[123]:`); `[3-1]` is a line number. */
const prefixPid = /\[(\d+)\]/;
/** The application in an unknown prefix written pgBadger's way: `app=%a,`. */
const prefixApp = /\bapp=([^,\s]*)/;

export interface PrefixFields {
	severity: string;
	message: string;
	sqlstate: string | null;
	pid: string | null;
	app: string | null;
	/** The session's database; null when the prefix has no %d or the line is a background process's. */
	database: string | null;
}

/** The fields of a stderr line, with the known prefix's pattern or else the generic one; undefined for a line of neither. */
export function prefixFields(line: string, known: RegExp | undefined): PrefixFields | undefined {
	const k = known?.exec(line)?.groups;
	if (k) return {severity: k.severity!, message: k.message!, sqlstate: k.sqlstate ?? null, pid: k.pid ?? null, app: k.app ?? null, database: k.database || null};
	const g = genericPattern.exec(line)?.groups;
	if (!g) return undefined;
	const prefix = g.prefix!;
	return {severity: g.severity!, message: g.message!, sqlstate: null, pid: prefixPid.exec(prefix)?.[1] ?? null, app: prefixApp.exec(prefix)?.[1] ?? null, database: null};
}
