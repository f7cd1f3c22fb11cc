/* Terminal input as keys, one by one. Over SSH, typed-ahead keys and key
 * repeat arrive in one read: `jjj`, three Enters `\r\r\r`, arrows back to
 * back. Ink's useInput hands such a burst over as one string (so `input ===
 * 'j'` misses it) and names a line feed differently from a carriage return
 * (keys typed before the terminal was in raw mode arrive as `\n`). Here every
 * key of a burst becomes its own KeyPress, in order. Pure. */

/** A key by its name in the keymap: `Enter`, `Esc`, `Up`, `PgDn`, `Ctrl-C`, `Space`, or the character typed (`j`, `Q`, `é`). */
export interface KeyPress {
	name: string;
	/** For printable keys: the text it types. */
	text?: string;
}

const csi: Record<string, string> = {
	A: 'Up',
	B: 'Down',
	C: 'Right',
	D: 'Left',
	H: 'Home',
	F: 'End',
	Z: 'Shift-Tab',
	'1~': 'Home',
	'7~': 'Home',
	'4~': 'End',
	'8~': 'End',
	'2~': 'Insert',
	'3~': 'Delete',
	'5~': 'PgUp',
	'6~': 'PgDn',
};

const ss3: Record<string, string> = {A: 'Up', B: 'Down', C: 'Right', D: 'Left', H: 'Home', F: 'End'};

/** An escape sequence at `i` (text[i] is ESC): the key and where the next one starts. */
function escapeSequence(text: string, i: number): {key: KeyPress; next: number} {
	const introducer = text[i + 1];
	if (introducer === undefined) return {key: {name: 'Esc'}, next: i + 1};
	if (introducer === '[') {
		// CSI: parameters and intermediates, then one final byte (modifiers such as `1;5` are ignored).
		const match = /^\[[[]?([0-9;]*)([\x20-\x2f]*)([\x40-\x7e])/.exec(text.slice(i + 1));
		if (!match) return {key: {name: 'Esc'}, next: i + 1};
		const params = match[1]!.split(';');
		const final = match[3]!;
		const name = final === '~' ? csi[`${params[0]}~`] : csi[final];
		return {key: {name: name ?? 'Unknown'}, next: i + 1 + match[0].length};
	}
	if (introducer === 'O' && text[i + 2] !== undefined) return {key: {name: ss3[text[i + 2]!] ?? 'Unknown'}, next: i + 3};
	// ESC then another key: Esc typed ahead of it (pg500 has no Alt keys), both kept.
	return {key: {name: 'Esc'}, next: i + 1};
}

function controlKey(code: number): KeyPress {
	if (code === 0x0d || code === 0x0a) return {name: 'Enter'};
	if (code === 0x09) return {name: 'Tab'};
	if (code === 0x7f || code === 0x08) return {name: 'Backspace'};
	if (code === 0x00) return {name: 'Ctrl-Space'};
	if (code <= 0x1a) return {name: `Ctrl-${String.fromCharCode(0x40 + code)}`};
	return {name: 'Unknown'};
}

/** Every key in `data`, in order. `\r\n` (a pasted line end) is one Enter. */
export function parseKeys(data: string): KeyPress[] {
	const keys: KeyPress[] = [];
	let i = 0;
	while (i < data.length) {
		const code = data.codePointAt(i)!;
		if (code === 0x1b) {
			const {key, next} = escapeSequence(data, i);
			keys.push(key);
			i = next;
			continue;
		}
		if (code === 0x0d && data.charCodeAt(i + 1) === 0x0a) {
			keys.push({name: 'Enter'});
			i += 2;
			continue;
		}
		if (code < 0x20 || code === 0x7f) {
			keys.push(controlKey(code));
			i += 1;
			continue;
		}
		const ch = String.fromCodePoint(code);
		keys.push(ch === ' ' ? {name: 'Space', text: ' '} : {name: ch, text: ch});
		i += ch.length;
	}
	return keys;
}
