/* Postgres `log_line_prefix` → a regular expression that splits a stderr log
 * line into prefix fields, severity and message. Only %e (the SQLSTATE) is
 * captured; the timestamp is found by parseTimestamp on the whole line. */

const severities = 'LOG|ERROR|FATAL|PANIC|WARNING|NOTICE|INFO|DEBUG[1-5]?|DETAIL|HINT|STATEMENT|CONTEXT|QUERY|LOCATION';
const tail = `(?<severity>${severities}):\\s+(?<message>.*)$`;

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const fields: Record<string, string> = {
	e: '(?<sqlstate>[0-9A-Z]{5})',
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
			pattern += `${padded ? ' *' : ''}${fields[escape] ?? '.*?'}${padded ? ' *' : ''}`;
		}
	}
	if (optionalFrom >= 0) pattern = `${pattern.slice(0, optionalFrom)}(?:${pattern.slice(optionalFrom)})?`;
	return new RegExp(`^${pattern}${tail}`);
}

/** For an unknown prefix: the first `SEVERITY:  ` (Postgres writes two spaces after it). */
export const genericPattern = new RegExp(`^(?<prefix>.*?)\\b(?<severity>${severities}):  (?<message>.*)$`);
