/* A PostgreSQL lexer, just enough to tell code from strings, quoted
 * identifiers and comments the way the server does (nested block comments,
 * dollar quoting, '' inside strings). Where it cannot be sure how the server
 * reads a piece of text it says so (`doubt`), and the checks treat that as a
 * problem rather than guess. */

export type TokenKind = 'word' | 'quoted-ident' | 'string' | 'number' | 'param' | 'op' | 'punct';

export interface Token {
	kind: TokenKind;
	/** Offset of the token's first character in the SQL text. */
	start: number;
	end: number;
	/** The source text of the token. */
	text: string;
	/** Words: lower-cased. Quoted identifiers: the name. Strings: the content as the server reads it. */
	value: string;
	/** Strings and quoted identifiers: the source offset of each character of value. */
	offsets?: number[];
	/** Strings: how they were written. */
	style?: 'plain' | 'dollar' | 'escape' | 'unicode' | 'bit' | 'national';
}

export interface Lexed {
	tokens: Token[];
	/** Text the lexer cannot read the way the server surely would: where, and why. */
	doubts: {start: number; end: number; message: string}[];
}

const wordStart = /[A-Za-z_\u0080-\uffff]/;
const wordChar = /[A-Za-z0-9_$\u0080-\uffff]/;
const opChars = '+-*/<>=~!@#%^&|`?';

export function lex(sql: string): Lexed {
	const tokens: Token[] = [];
	const doubts: Lexed['doubts'] = [];
	let i = 0;
	const push = (kind: TokenKind, start: number, end: number, value: string, extra: Partial<Token> = {}) =>
		tokens.push({kind, start, end, text: sql.slice(start, end), value, ...extra});

	/** A '…' string starting at the quote `at`; '' is a quote. Returns the offset after it. */
	const quoted = (at: number, quote: string): {end: number; value: string; offsets: number[]; closed: boolean} => {
		let value = '';
		const offsets: number[] = [];
		let j = at + 1;
		while (j < sql.length) {
			if (sql[j] === quote) {
				if (sql[j + 1] === quote) {
					value += quote;
					offsets.push(j);
					j += 2;
					continue;
				}
				return {end: j + 1, value, offsets, closed: true};
			}
			value += sql[j];
			offsets.push(j);
			j++;
		}
		return {end: j, value, offsets, closed: false};
	};

	while (i < sql.length) {
		const ch = sql[i]!;
		const next = sql[i + 1];
		if (/\s/.test(ch)) {
			i++;
			continue;
		}
		if (ch === '-' && next === '-') {
			const nl = sql.indexOf('\n', i);
			i = nl < 0 ? sql.length : nl + 1;
			continue;
		}
		if (ch === '/' && next === '*') {
			// Block comments nest in PostgreSQL.
			let depth = 1;
			let j = i + 2;
			while (j < sql.length && depth > 0) {
				if (sql[j] === '/' && sql[j + 1] === '*') {
					depth++;
					j += 2;
				} else if (sql[j] === '*' && sql[j + 1] === '/') {
					depth--;
					j += 2;
				} else j++;
			}
			if (depth > 0) doubts.push({start: i, end: sql.length, message: 'an unterminated /* comment'});
			i = j;
			continue;
		}
		if (ch === "'") {
			const s = quoted(i, "'");
			if (!s.closed) doubts.push({start: i, end: s.end, message: 'an unterminated string'});
			// A backslash is an ordinary character here: the safe session sets standard_conforming_strings
			// on for every check (postgres/session.ts), so the server reads the string as this does.
			push('string', i, s.end, s.value, {offsets: s.offsets, style: 'plain'});
			i = s.end;
			continue;
		}
		if (ch === '"') {
			const s = quoted(i, '"');
			if (!s.closed) doubts.push({start: i, end: s.end, message: 'an unterminated quoted identifier'});
			push('quoted-ident', i, s.end, s.value, {offsets: s.offsets});
			i = s.end;
			continue;
		}
		if (ch === '$') {
			if (next !== undefined && /[0-9]/.test(next)) {
				let j = i + 1;
				while (j < sql.length && /[0-9]/.test(sql[j]!)) j++;
				push('param', i, j, sql.slice(i, j));
				i = j;
				continue;
			}
			const tag = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(sql.slice(i));
			if (tag) {
				const close = sql.indexOf(tag[0], i + tag[0].length);
				const end = close < 0 ? sql.length : close + tag[0].length;
				if (close < 0) doubts.push({start: i, end, message: `an unterminated ${tag[0]} string`});
				const contentStart = i + tag[0].length;
				const value = sql.slice(contentStart, close < 0 ? sql.length : close);
				push('string', i, end, value, {offsets: [...value].map((_, k) => contentStart + k), style: 'dollar'});
				i = end;
				continue;
			}
		}
		if (wordStart.test(ch)) {
			// E'…', B'…', X'…', N'…' and U&'…' / U&"…" are literals and identifiers with a prefix.
			if (/[EeBbXxNn]/.test(ch) && next === "'") {
				const s = ch === 'E' || ch === 'e' ? escapeString(sql, i + 1) : quoted(i + 1, "'");
				if (!s.closed) doubts.push({start: i, end: s.end, message: 'an unterminated string'});
				const style = /[Ee]/.test(ch) ? 'escape' : /[Nn]/.test(ch) ? 'national' : 'bit';
				push('string', i, s.end, s.value, {offsets: s.offsets, style});
				i = s.end;
				continue;
			}
			if (/[Uu]/.test(ch) && next === '&' && (sql[i + 2] === "'" || sql[i + 2] === '"')) {
				const s = quoted(i + 2, sql[i + 2]!);
				// Unicode escapes (\0041, UESCAPE) can spell any name: pg500 does not decode them.
				doubts.push({start: i, end: s.end, message: 'a U&… literal or identifier (Unicode escapes can hide what it names)'});
				push(sql[i + 2] === '"' ? 'quoted-ident' : 'string', i, s.end, s.value, {offsets: s.offsets, style: 'unicode'});
				i = s.end;
				continue;
			}
			let j = i + 1;
			while (j < sql.length && wordChar.test(sql[j]!)) j++;
			push('word', i, j, sql.slice(i, j).toLowerCase());
			i = j;
			continue;
		}
		if (/[0-9]/.test(ch) || (ch === '.' && next !== undefined && /[0-9]/.test(next))) {
			const m = /^(?:0[xXoObB][0-9A-Fa-f_]+|[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9_]+(?:[eE][+-]?[0-9]+)?)/.exec(sql.slice(i))!;
			push('number', i, i + m[0].length, m[0]);
			i += m[0].length;
			continue;
		}
		if (opChars.includes(ch)) {
			let j = i;
			// An operator stops where a comment starts, as the server's lexer does.
			while (j < sql.length && opChars.includes(sql[j]!) && !(sql[j] === '-' && sql[j + 1] === '-') && !(sql[j] === '/' && sql[j + 1] === '*')) j++;
			if (j === i) j = i + 1;
			push('op', i, j, sql.slice(i, j));
			i = j;
			continue;
		}
		if (ch === ':' && next === ':') {
			push('op', i, i + 2, '::');
			i += 2;
			continue;
		}
		push('punct', i, i + 1, ch);
		i++;
	}
	return {tokens, doubts};
}

/** E'…': backslash escapes, and '' too. The value is decoded only as far as telling where the string ends needs. */
function escapeString(sql: string, at: number): {end: number; value: string; offsets: number[]; closed: boolean} {
	let value = '';
	const offsets: number[] = [];
	let j = at + 1;
	while (j < sql.length) {
		const c = sql[j]!;
		if (c === '\\' && j + 1 < sql.length) {
			value += sql.slice(j, j + 2);
			offsets.push(j, j + 1);
			j += 2;
			continue;
		}
		if (c === "'") {
			if (sql[j + 1] === "'") {
				value += "'";
				offsets.push(j);
				j += 2;
				continue;
			}
			return {end: j + 1, value, offsets, closed: true};
		}
		value += c;
		offsets.push(j);
		j++;
	}
	return {end: j, value, offsets, closed: false};
}
