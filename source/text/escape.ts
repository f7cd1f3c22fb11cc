/* Text from the database, from logs, from runbooks and from journals is
 * written by whoever can reach them. Before it reaches any screen, report or
 * journal, every character that is not plainly visible is made visible: an
 * escape sequence in an application name must not retitle the operator's
 * terminal or clear the screen, and an invisible or direction-changing
 * character must not make text read differently from what it is (Trojan
 * Source). This is the one place that decides which characters those are. */

const named: Record<string, string> = {'\n': '\\n', '\r': '\\r', '\t': '\\t'};

// Cc: C0 controls, DEL, C1 controls. Cf: format characters — the
// bidirectional marks, embeddings, overrides and isolates (U+200E/F,
// U+202A–E, U+2066–9, U+061C), zero-width spaces and joiners, U+FEFF, soft
// hyphen, tag characters. Zl/Zp: U+2028/U+2029, line and paragraph
// separators some terminals and editors break lines at. Cs: a lone surrogate.
const unsafe = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;
const unsafeButNewline = /(?!\n)[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;
const unsafeButLayout = /(?![\n\t])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

function visible(ch: string): string {
	if (ch in named) return named[ch]!;
	const code = ch.codePointAt(0)!;
	if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
	return code <= 0xffff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\u{${code.toString(16)}}`;
}

export interface EscapeOptions {
	/** Keep line breaks (runbook prose, SQL text shown as written); every other control still escaped. */
	keepNewlines?: boolean;
	/** With keepNewlines, keep tabs too: SQL as the runbook wrote it (its checker allows both). */
	keepTabs?: boolean;
}

/** The text with every control, format and separator character written out (`\x1b`, `\u202e`). */
export function escapeUntrusted(text: string, options: EscapeOptions = {}): string {
	const pattern = options.keepNewlines ? (options.keepTabs ? unsafeButLayout : unsafeButNewline) : unsafe;
	return text.replace(pattern, visible);
}

/** Each character escapeUntrusted would change, where it is (for pointing at it rather than escaping it). */
export function unsafeCharacters(text: string): {offset: number; char: string}[] {
	return [...text.matchAll(unsafe)].map(m => ({offset: m.index, char: m[0]}));
}

/** Escapes every string value of a result row; other values pass as they are. */
export function escapeRow<T extends Record<string, unknown>>(row: T): T {
	const out: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(row)) out[escapeUntrusted(key)] = typeof value === 'string' ? escapeUntrusted(value) : value;
	return out as T;
}

// The number a cut text would end in: its digits and what joins them (1.5, 12:03, {901,902}).
const trailingNumber = /[\d.,:{}+-]*\d[\d.,:{}]*$/;
const continuesNumber = /^[.,:]?\d/;

/**
 * What to keep of a text cut after `kept`, so that the ellipsis never ends a
 * number (`pid 90…` reads as pid 90): a number the cut splits goes; a whole
 * one stays, a space before the ellipsis, when there is room for it.
 */
export function keptBeforeCut(kept: string, rest: string, room: 'space' | 'no-space'): string {
	if (!/\d$/.test(kept)) return kept.trimEnd();
	if (room === 'space' && !continuesNumber.test(rest)) return `${kept} `;
	return kept.replace(trailingNumber, '').trimEnd();
}

/** A deep copy of any JSON-like value with every string and every key escaped (text read back from a file). */
export function escapeDeep<T>(value: T, options: EscapeOptions = {}): T {
	if (typeof value === 'string') return escapeUntrusted(value, options) as T;
	if (Array.isArray(value)) return value.map(item => escapeDeep(item, options)) as T;
	if (value !== null && typeof value === 'object') {
		const out: Record<string, unknown> = {};
		for (const [k, v] of Object.entries(value)) out[escapeUntrusted(k)] = escapeDeep(v, options);
		return out as T;
	}
	return value;
}

/** Shortens text to `max` characters, marking the cut. */
export function truncate(text: string, max: number): string {
	return text.length <= max ? text : `${keptBeforeCut(text.slice(0, max - 1), text.slice(max - 1), 'space')}…`;
}

/**
 * As truncate, for prose a person reads whole (the incident channel's
 * summary): the cut falls after the last whole word when one ends in the
 * second half of the room, never inside a word ('on databas…').
 */
export function truncateWords(text: string, max: number): string {
	if (text.length <= max) return text;
	const head = text.slice(0, max - 1);
	const space = head.lastIndexOf(' ');
	if (space < max / 2) return truncate(text, max);
	return `${head.slice(0, space).replace(/[\s,;:=—–-]+$/, '')}…`;
}
