import type {Histogram} from '../engine/types.ts';
import type {LogClass} from './log-classes.ts';
import {emptyCounts, readLines, type LineCounts} from './line-reader.ts';
import {Tally} from './tally.ts';
import {parseTimestamp} from './timestamps.ts';

/* The pipeline every log goes through: bytes → lines → the --since window →
 * a classifier → counts. Pure apart from consuming the byte source. */

export type LineVerdict =
	| {kind: 'count'; klass: LogClass; text?: string; time?: Date | null}
	/** A continuation (DETAIL) of the record counted just before. */
	| {kind: 'detail'; text: string}
	/** A new record that is not counted: a DETAIL after it is not the counted one's. */
	| {kind: 'end'}
	| {kind: 'skip'};

export interface LineClassifier {
	classify(line: string): LineVerdict;
}

export interface ScanOptions {
	now: Date;
	sinceMinutes?: number;
}

export interface ScanResult {
	tally: Tally;
	counts: LineCounts;
	/** Time the window covers, from its first to its last timestamp (null without timestamps). */
	first: Date | null;
	last: Date | null;
	/** --since was asked for but no line carried a timestamp, so every line was read. */
	sinceIgnored: boolean;
	histogram?: Histogram;
	spanMinutes: number | null;
}

/** Lines without a timestamp held back until one tells whether they are inside --since. */
const maxPending = 1000;

export async function scanLog(chunks: AsyncIterable<Buffer>, classifier: LineClassifier, options: ScanOptions): Promise<ScanResult> {
	const tally = new Tally();
	const counts = emptyCounts();
	const cutoff = options.sinceMinutes === undefined ? null : options.now.getTime() - options.sinceMinutes * 60_000;
	let inWindow = cutoff === null;
	let sinceIgnored = false;
	let pending: string[] = [];
	let seenTime = false;
	let first: Date | null = null;
	let lastLine = '';
	let lastTime: Date | null = null;

	const process = (line: string) => {
		if (line.length === 0) return;
		lastLine = line;
		if (!first) first = parseTimestamp(line, options.now);
		const verdict = classifier.classify(line);
		if (verdict.kind === 'skip') return;
		if (verdict.kind === 'end') {
			tally.endRecord();
			return;
		}
		if (verdict.kind === 'detail') {
			tally.addDetail(verdict.text);
			return;
		}
		const time = verdict.time !== undefined ? verdict.time : parseTimestamp(line, options.now);
		if (time) lastTime = time;
		tally.add(verdict.klass, time ?? lastTime, verdict.text ?? line);
	};

	for await (const batch of readLines(chunks, counts))
		for (const raw of batch) {
			const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
			if (inWindow) {
				process(line);
				continue;
			}
			// Before the window: logs are in time order, so the first line at or after the cutoff opens it.
			const time = parseTimestamp(line, options.now);
			if (!time) {
				// After an earlier timestamp, an untimestamped line continues a record before the window.
				if (seenTime) continue;
				if (pending.length < maxPending) pending.push(line);
				else {
					sinceIgnored = true;
					inWindow = true;
					for (const held of pending) process(held);
					process(line);
					pending = [];
				}
				continue;
			}
			seenTime = true;
			if (time.getTime() >= cutoff!) {
				inWindow = true;
				// Continuation lines just before the first line inside the window belong to records before it.
				pending = [];
				process(line);
			} else pending = [];
		}
	if (!inWindow && !seenTime && pending.length > 0) {
		sinceIgnored = true;
		for (const held of pending) process(held);
	}

	const last = lastLine ? parseTimestamp(lastLine, options.now) ?? lastTime : null;
	const start = cutoff !== null && !sinceIgnored ? new Date(cutoff) : first;
	const end = cutoff !== null && !sinceIgnored ? options.now : last;
	const spanMinutes = start && end ? Math.max(0, (end.getTime() - start.getTime()) / 60_000) : null;
	const result: ScanResult = {tally, counts, first: start, last: end, sinceIgnored, spanMinutes};
	if (start && end) result.histogram = tally.histogram(start, end);
	return result;
}
