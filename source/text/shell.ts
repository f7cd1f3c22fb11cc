/* Quoting by the POSIX shell's rules, for every command pg500 shows or runs
 * for a person (a log command, a path in one): a value is whatever someone
 * typed or a server reported, and must reach the shell as one word, never as
 * a second command. */

/** Text inside single quotes: each ' closes the quotes, is escaped, and opens them again. */
export function insideSingleQuotes(text: string): string {
	return text.replace(/'/g, `'\\''`);
}

/** One shell word: as it is when plain, else single-quoted. */
export function shellWord(text: string): string {
	return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${insideSingleQuotes(text)}'`;
}
