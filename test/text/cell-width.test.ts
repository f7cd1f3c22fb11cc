import {test} from 'node:test';
import assert from 'node:assert/strict';
import stringWidth from 'string-width';
import cellWidth from '../../source/text/cell-width.ts';

/* The fast cell count must agree with string-width wherever it answers
 * itself, and hand everything else to it. */

test('every code point of the Basic Multilingual Plane: the same width as string-width', () => {
	const differ: string[] = [];
	for (let code = 0x20; code <= 0xffff; code++) {
		const ch = String.fromCharCode(code);
		if (cellWidth(ch) !== stringWidth(ch)) differ.push(`U+${code.toString(16).padStart(4, '0')} ${cellWidth(ch)} vs ${stringWidth(ch)}`);
	}
	assert.deepEqual(differ, []);
});

test('texts of a frame, and the ones that need string-width: the same widths', () => {
	for (const text of ['✔ 1 Connect │ ⚠ warning so far', 'root_blocker_pid  9077 — idle…', '注文サービス-本番', 'é', 'é', '👍🏽 ok', '👨‍👩‍👧', 'a\u200bb', '한국어', '\u1100\u1161', 'ｶﾞ', 'x\u0301', '⚡ ☔ ⭐', 'Σ α ω ½ ° ±', '\u001b[1m✔ ok\u001b[22m', '\u001b[7m│\u001b[27m x'])
		assert.equal(cellWidth(text), stringWidth(text), text);
});
