import {isUtf8} from 'node:buffer';

/* Splits log bytes into lines with bounded memory: a line longer than
 * maxLineBytes keeps only its start (a 100,000-character line, or a binary
 * file without newlines, cannot grow the buffer), and what was odd about the
 * input is counted so the report can say so. */

/** Room for a line Docker's json-file driver wraps (16 kB of text, escaped), not for a runaway one. */
export const maxLineBytes = 64 * 1024;
/** Text is decoded this much at a time: V8 puts larger strings in the large-object space, freed only by full GCs. */
const decodeBytes = 64 * 1024;

export interface LineCounts {
	lines: number;
	/** Lines cut to maxLineBytes. */
	truncated: number;
	/** Lines that were not valid UTF-8 (shown with U+FFFD). */
	invalidUtf8: number;
	/** Lines carrying NUL bytes: binary data in a text log. */
	binary: number;
}

export function emptyCounts(): LineCounts {
	return {lines: 0, truncated: 0, invalidUtf8: 0, binary: 0};
}

/** Lines in batches (one per chunk): a yield per line would cost more than reading it. */
export async function* readLines(chunks: AsyncIterable<Buffer>, counts: LineCounts): AsyncIterable<string[]> {
	// The start of the current line (a copy: chunks are reused), capped; `overflow` once the cap is reached.
	let carry: Buffer = Buffer.alloc(0);
	let overflow = false;
	let batch: string[] = [];

	const decode = (bytes: Buffer, cut: boolean) => {
		counts.lines++;
		if (cut) counts.truncated++;
		if (bytes.includes(0)) counts.binary++;
		if (!isUtf8(bytes)) counts.invalidUtf8++;
		batch.push(bytes.toString('utf8'));
	};
	const line = (bytes: Buffer) => {
		const cut = bytes.length > maxLineBytes;
		decode(cut ? bytes.subarray(0, maxLineBytes) : bytes, cut);
	};
	/** Whole lines, without the final newline. */
	const region = (bytes: Buffer) => {
		if (isUtf8(bytes) && !bytes.includes(0)) {
			// The common case: clean text, decoded once per region rather than once per line.
			for (const text of bytes.toString('utf8').split('\n')) {
				counts.lines++;
				if (text.length > maxLineBytes) {
					counts.truncated++;
					batch.push(text.slice(0, maxLineBytes));
				} else batch.push(text);
			}
			return;
		}
		for (let at = 0; ; ) {
			const nl = bytes.indexOf(0x0a, at);
			line(bytes.subarray(at, nl === -1 ? bytes.length : nl));
			if (nl === -1) return;
			at = nl + 1;
		}
	};

	for await (const chunk of chunks) {
		let from = 0;
		const first = chunk.indexOf(0x0a);
		if (first !== -1 && (carry.length > 0 || overflow)) {
			if (overflow) decode(carry, true);
			else line(Buffer.concat([carry, chunk.subarray(0, first)]));
			carry = Buffer.alloc(0);
			overflow = false;
			from = first + 1;
		}
		const last = first === -1 ? -1 : chunk.lastIndexOf(0x0a);
		while (from <= last) {
			// Cut at a newline near decodeBytes (or the next one, for a long line).
			let end = last;
			if (last - from > decodeBytes) {
				end = chunk.lastIndexOf(0x0a, from + decodeBytes);
				if (end < from) end = chunk.indexOf(0x0a, from + decodeBytes);
			}
			region(chunk.subarray(from, end));
			from = end + 1;
		}
		if (from < chunk.length && !overflow) {
			carry = Buffer.concat([carry, chunk.subarray(from, from + Math.max(0, maxLineBytes + 1 - carry.length))]);
			if (carry.length > maxLineBytes) {
				carry = carry.subarray(0, maxLineBytes);
				overflow = true;
			}
		}
		if (batch.length > 0) {
			yield batch;
			batch = [];
		}
	}
	if (carry.length > 0 || overflow) decode(carry, overflow);
	if (batch.length > 0) yield batch;
}
