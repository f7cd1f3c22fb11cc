import type {Histogram} from '../engine/types.ts';
import type {LogClass} from './log-classes.ts';
import {emptyCounts, readLines, type LineCounts} from './line-reader.ts';
import {lineFramer} from './line-framer.ts';
import {Tally} from './tally.ts';
import {unknownTime, type LineTime, type TimeReader} from './timestamps.ts';

/* The pipeline every log goes through: bytes → lines → out of their
 * envelope (Docker) → the --since window → a classifier → counts. Pure apart
 * from consuming the byte source. */

/** `record` names the message a line belongs to: the backend's pid where the format has one, else ''. */
export type LineVerdict =
	| {kind: 'count'; klass: LogClass; text?: string; time?: LineTime; record?: string}
	/** A continuation (DETAIL) of the record's counted message. */
	| {kind: 'detail'; text: string; record?: string}
	/** A new message of the record that is not counted: a DETAIL after it is not the counted one's. */
	| {kind: 'end'; record?: string}
	/** A message that would count, from one of pg500's own sessions: not evidence. */
	| {kind: 'own'; record?: string}
	/** A message that would count, from a session on another database than the target's: not evidence. */
	| {kind: 'elsewhere'; record?: string}
	| {kind: 'skip'};

/** The verdict on most lines: one object for all of them (a classifier runs for every line). */
export const skipLine: LineVerdict = Object.freeze({kind: 'skip'});

export interface LineClassifier {
	classify(line: string): LineVerdict;
}

export interface ScanOptions {
	times: TimeReader;
	/** Read only lines of the last this many minutes; undefined reads the whole tail window. */
	sinceMinutes?: number;
}

export interface ScanResult {
	tally: Tally;
	counts: LineCounts;
	/** The time the lines read cover: the --since window, else the first to the last timestamp (null without timestamps). */
	start: Date | null;
	end: Date | null;
	/** The time of the first line read (the tail window may begin after the --since cutoff). */
	firstLine: Date | null;
	/** Why --since did not decide which lines were read, when it did not. */
	sinceUnapplied?: 'no-timestamps' | 'unknown-zone';
	/** The log was Docker's json-file format, read inside its envelope. */
	docker: boolean;
	/** Messages of pg500's own sessions that were not counted. */
	ownSkipped: number;
	/** Messages of sessions on other databases that were not counted. */
	elsewhereSkipped: number;
	/** Lines inside the window (all of them when --since did not apply). */
	windowLines: number;
	histogram?: Histogram;
}

/** Lines without a timestamp held back until one tells whether they are inside --since. */
const maxPending = 1000;

export async function scanLog(chunks: AsyncIterable<Buffer>, classifier: LineClassifier, options: ScanOptions): Promise<ScanResult> {
	const {times} = options;
	const now = times.now;
	const tally = new Tally();
	const counts = emptyCounts();
	const framer = lineFramer(counts);
	const cutoff = options.sinceMinutes === undefined ? null : now.getTime() - options.sinceMinutes * 60_000;
	let inWindow = cutoff === null;
	let sinceUnapplied: ScanResult['sinceUnapplied'];
	/** Lines held before the window opens, with the time their envelope gave them. */
	let pending: [string, Date | undefined][] = [];
	let seenTime = false;
	let firstLine: Date | null = null;
	let lastText = '';
	let lastEnvelope: Date | undefined;
	let lastTime: Date | null = null;
	let ownSkipped = 0;
	let elsewhereSkipped = 0;
	let windowLines = 0;
	const timeOf = (text: string, envelope: Date | undefined): LineTime => envelope ?? times.read(text);

	const take = (text: string, envelope: Date | undefined, known?: LineTime) => {
		if (text.length === 0) return;
		windowLines++;
		lastText = text;
		lastEnvelope = envelope;
		if (!firstLine) {
			const t = known ?? timeOf(text, envelope);
			if (t instanceof Date) firstLine = t;
		}
		const verdict = classifier.classify(text);
		switch (verdict.kind) {
			case 'skip':
				return;
			case 'end':
				return tally.endRecord(verdict.record);
			case 'own':
				ownSkipped++;
				return tally.endRecord(verdict.record);
			case 'elsewhere':
				elsewhereSkipped++;
				return tally.endRecord(verdict.record);
			case 'detail':
				return tally.addDetail(verdict.text, verdict.record);
			case 'count': {
				const t = envelope ?? verdict.time ?? known ?? times.read(text);
				// A line without a timestamp continues the one before; one whose zone is unknown has no time.
				const time = t instanceof Date ? t : t === unknownTime ? null : lastTime;
				if (t instanceof Date) lastTime = t;
				tally.add(verdict.klass, time, verdict.text ?? text, verdict.record);
			}
		}
	};
	const openWindow = (reason: ScanResult['sinceUnapplied']) => {
		sinceUnapplied = reason;
		inWindow = true;
		for (const [text, envelope] of pending) take(text, envelope);
		pending = [];
	};

	for await (const batch of readLines(chunks, counts))
		for (const raw of batch) {
			const text = framer.frame(raw);
			if (text === undefined) continue;
			const envelope = framer.time;
			if (inWindow) {
				take(text, envelope);
				continue;
			}
			// Before the window: logs are in time order, so the first line at or after the cutoff opens it.
			const time = timeOf(text, envelope);
			if (!time) {
				// After an earlier timestamp, an untimestamped line continues a record before the window.
				if (seenTime) continue;
				if (pending.length < maxPending) pending.push([text, envelope]);
				else {
					openWindow('no-timestamps');
					take(text, envelope, time);
				}
				continue;
			}
			if (!(time instanceof Date)) {
				// Its place in time is unknown: read from here rather than drop what may be the incident.
				openWindow('unknown-zone');
				take(text, envelope, time);
				continue;
			}
			seenTime = true;
			if (time.getTime() >= cutoff!) {
				inWindow = true;
				// Continuation lines just before the first line inside the window belong to records before it.
				pending = [];
				take(text, envelope, time);
			} else pending = [];
		}
	if (!inWindow && !seenTime && pending.length > 0) openWindow('no-timestamps');

	const lastLineTime = lastText ? timeOf(lastText, lastEnvelope) : null;
	const last = lastLineTime instanceof Date ? lastLineTime : lastTime;
	const sinceApplied = cutoff !== null && sinceUnapplied === undefined;
	const start = sinceApplied ? new Date(cutoff) : firstLine;
	const end = sinceApplied ? now : last;
	const result: ScanResult = {tally, counts, start, end, firstLine, docker: framer.docker, ownSkipped, elsewhereSkipped, windowLines};
	if (sinceUnapplied) result.sinceUnapplied = sinceUnapplied;
	const histogram = start && end ? tally.histogram(start, end) : undefined;
	if (histogram) result.histogram = histogram;
	return result;
}
