/* Quoting by PostgreSQL's rules, for every command pg500 suggests to a
 * person (a GRANT, a follow-up statement): a role or object name is
 * whatever someone created, `x'y"; DROP TABLE kv_store; --` included, and
 * must reach the server as one name, never as more SQL. */

/** A quoted identifier: "name" with every " doubled (always quoted: a keyword or mixed case is safe too). */
export function quoteIdent(name: string): string {
	return `"${name.replace(/"/g, '""')}"`;
}

/** A string literal: 'text' with every ' doubled, as standard_conforming_strings reads it; E'…' when it holds a backslash. */
export function quoteLiteral(text: string): string {
	const quoted = `'${text.replace(/'/g, "''")}'`;
	return text.includes('\\') ? `E${quoted.replace(/\\/g, '\\\\')}` : quoted;
}
