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

/** Shortens text to `max` characters, marking the cut. */
export function truncate(text: string, max: number): string {
	return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
