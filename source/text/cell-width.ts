import {eastAsianWidth} from 'get-east-asian-width';
import stringWidth from 'string-width';
import stripAnsi from 'strip-ansi';

/*
 * How many terminal cells a text takes: string-width's answer, faster for
 * the text a frame is made of. string-width segments every text that is not
 * plain ASCII into graphemes and tests each against emoji patterns; the
 * first frame has hundreds of such texts (✔, │, —, a CJK name), which cost
 * a tenth of its time. A text of single code points that combine with
 * nothing (no marks, joiners, variation selectors, controls, surrogates,
 * Hangul jamo) is the sum of their East Asian widths; anything else
 * goes to string-width. The build gives Ink this function in place of
 * string-width (scripts/build.mjs), so Ink measures the same way.
 */

// Code points that combine with their neighbours or take no cell (marks, controls, formats,
// ignorables, unassigned), Hangul jamo, halfwidth forms and everything beyond the BMP (emoji).
const complex = /[\p{M}\p{C}\p{Default_Ignorable_Code_Point}\u1100-\u11ff\ua960-\ua97f\ud7b0-\ud7ff\uff00-\uffef\u{10000}-\u{10ffff}]/u;
const ascii = /^[\u0020-\u007e]*$/;
// As string-width counts by default: an ambiguous character is narrow.
const narrow = {ambiguousAsWide: false};

export default function cellWidth(input: string, options?: Parameters<typeof stringWidth>[1]): number {
	if (options) return stringWidth(input, options);
	// Ink measures styled text: its escape codes take no cell.
	const text = input.includes('\u001b') || input.includes('\u009b') ? stripAnsi(input) : input;
	if (ascii.test(text)) return text.length;
	if (complex.test(text)) return stringWidth(text);
	let width = 0;
	for (let i = 0; i < text.length; i++) width += eastAsianWidth(text.charCodeAt(i), narrow);
	return width;
}
