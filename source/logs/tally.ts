import type {Histogram, Row} from '../engine/types.ts';
import {escapeUntrusted, truncate} from '../text/escape.ts';
import {redactedPrefix} from '../text/secrets.ts';
import type {LogClass} from './log-classes.ts';

/* Counts per class and per minute: the rows and histogram of a log step. */

export const maxSamples = 3;
export const sampleChars = 300;
export const exampleChars = 160;
export const maxBuckets = 120;
const minute = 60_000;

interface ClassTally {
	klass: LogClass;
	count: number;
	first: Date | null;
	last: Date | null;
	samples: string[];
}

export class Tally {
	private readonly classes = new Map<string, ClassTally>();
	private readonly perMinute = new Map<number, number>();
	/** The sample the last counted line left, so its DETAIL line can join it. */
	private lastSample: {tally: ClassTally; index: number} | undefined;
	matching = 0;

	add(klass: LogClass, time: Date | null, text: string): void {
		let t = this.classes.get(klass.class);
		if (!t) this.classes.set(klass.class, (t = {klass, count: 0, first: null, last: null, samples: []}));
		t.count++;
		this.matching++;
		if (time) {
			if (!t.first || time < t.first) t.first = time;
			if (!t.last || time > t.last) t.last = time;
			const m = Math.floor(time.getTime() / minute);
			this.perMinute.set(m, (this.perMinute.get(m) ?? 0) + 1);
		}
		if (t.samples.length < maxSamples) {
			t.samples.push(sample(text));
			this.lastSample = {tally: t, index: t.samples.length - 1};
		} else this.lastSample = undefined;
	}

	/** A Postgres DETAIL line belongs to the message before it: shown in that sample, never counted. */
	addDetail(text: string): void {
		if (!this.lastSample) return;
		const {tally, index} = this.lastSample;
		tally.samples[index] = sample(`${tally.samples[index]} ${text}`);
	}

	/** Any line that is not a continuation of the counted one. */
	endRecord(): void {
		this.lastSample = undefined;
	}

	/** One row per class, most frequent first. `spanMinutes` is the time the window covers. */
	rows(spanMinutes: number | null): Row[] {
		return [...this.classes.values()]
			.sort((a, b) => b.count - a.count || a.klass.class.localeCompare(b.klass.class))
			.map(t => ({
				class: t.klass.class,
				cause: t.klass.cause,
				count: t.count,
				first_seen: t.first?.toISOString() ?? null,
				last_seen: t.last?.toISOString() ?? null,
				per_minute: spanMinutes === null ? null : Math.round((t.count / Math.max(1, spanMinutes)) * 100) / 100,
				sample: t.samples.join(' ⏎ '),
				// One short line for finding messages and cause evidence; `sample` has up to three in full.
				example: truncate(t.samples[0] ?? '', exampleChars),
				sqlstate: t.klass.sqlstate,
			}));
	}

	/** Matching lines per bucket from `start` to `end`, at most maxBuckets buckets of whole minutes. */
	histogram(start: Date, end: Date): Histogram {
		const first = Math.floor(start.getTime() / minute);
		const last = Math.max(first, Math.floor(end.getTime() / minute));
		const bucketMinutes = Math.max(1, Math.ceil((last - first + 1) / maxBuckets));
		const counts = new Array<number>(Math.ceil((last - first + 1) / bucketMinutes)).fill(0);
		for (const [m, n] of this.perMinute) {
			if (m < first || m > last) continue;
			const i = Math.floor((m - first) / bucketMinutes);
			counts[i] = (counts[i] ?? 0) + n;
		}
		return {start: new Date(first * minute).toISOString(), bucketMinutes, counts};
	}
}

/** Passwords removed, escaped (control characters made visible), then cut: a log line is untrusted text. */
export function sample(text: string): string {
	return truncate(escapeUntrusted(redactedPrefix(text, sampleChars * 4)), sampleChars);
}
