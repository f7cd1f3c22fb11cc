/* Text from the database and from logs is written by whoever can reach them.
 * Before it enters the engine (and so any screen, report or journal), every
 * control character is made visible: an escape sequence in an application
 * name must not retitle the operator's terminal or clear the screen. */

const named: Record<string, string> = {'\n': '\\n', '\r': '\\r', '\t': '\\t'};

// C0 controls, DEL, C1 controls, and the bidirectional overrides that can
// make text read differently from what it is (Trojan Source).
const unsafe = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function escapeUntrusted(text: string): string {
	return text.replace(unsafe, ch => {
		if (ch in named) return named[ch]!;
		const code = ch.codePointAt(0)!;
		return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
	});
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

/** Shortens text to `max` characters, marking the cut. */
export function truncate(text: string, max: number): string {
	return text.length <= max ? text : `${keptBeforeCut(text.slice(0, max - 1), text.slice(max - 1), 'space')}…`;
}
