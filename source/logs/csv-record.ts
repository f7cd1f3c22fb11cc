/* csvlog records: RFC 4180 with quoted fields that may span lines. */

/** True when the text so far has an unclosed quote (the record goes on on the next line). */
export function openQuote(text: string): boolean {
	let open = false;
	for (let i = text.indexOf('"'); i !== -1; i = text.indexOf('"', i + 1)) open = !open;
	return open;
}

export function parseCsvRecord(text: string): string[] {
	const out: string[] = [];
	let field = '';
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const ch = text[i]!;
		if (quoted) {
			if (ch === '"') {
				if (text[i + 1] === '"') {
					field += '"';
					i++;
				} else quoted = false;
			} else field += ch;
		} else if (ch === '"') quoted = true;
		else if (ch === ',') {
			out.push(field);
			field = '';
		} else field += ch;
	}
	out.push(field);
	return out;
}

/** Column positions of the csvlog format (stable since PostgreSQL 9.0; later versions append). */
export const csvColumns = {logTime: 0, databaseName: 2, pid: 3, severity: 11, sqlstate: 12, message: 13, detail: 14, applicationName: 22} as const;
