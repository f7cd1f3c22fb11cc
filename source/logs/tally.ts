import type {Histogram, Row} from '../engine/types.ts';
import {escapeUntrusted, truncate} from '../text/escape.ts';
import {redactedPrefix, redactSecrets} from '../text/secrets.ts';
import {niceBucketSeconds} from '../text/sparkline.ts';
import type {LogClass} from './log-classes.ts';

/* Counts per class and per second: the rows and histogram of a log step.
 * Rates are per minute over the minutes the class's lines span (30 errors
 * in 7 minutes are 4.3/min however long the log window) and over the last
 * five minutes of the window; the samples are the newest lines. */

export const maxSamples = 3;
export const sampleChars = 300;
export const exampleChars = 160;
export const maxBuckets = 120;
/** The recent rate is over this much time before the window's end. */
export const recentMs = 5 * 60_000;
const second = 1000;
const minute = 60_000;
/** Records whose DETAIL may still come (one per backend), at most. */
const maxOpenRecords = 1000;
/** Per-second counts are folded into minutes beyond this many distinct seconds (a week-long window). */
const maxSecondKeys = 50_000;
/** Fewer timed lines than this draw no chart: a bar or two says nothing a count does not. */
export const minChartLines = 3;

/** A counted line as read (cut, passwords not yet out, not yet escaped: most are pushed out by newer ones before they are shown). */
interface Sample {
	text: string;
}

const rawChars = sampleChars * 4;
/**
 * At most rawChars. A longer line loses its passwords before the cut (a URL
 * cut before its `@` no longer shows where its password ends); one that fits
 * loses them when shown (sample).
 */
function cut(text: string): string {
	if (text.length <= rawChars) return text;
	const safe = redactedPrefix(text, rawChars);
	return safe.length > rawChars ? safe.slice(0, rawChars) : safe;
}

interface ClassTally {
	klass: LogClass;
	count: number;
	first: Date | null;
	last: Date | null;
	/** The newest maxSamples lines, oldest first. */
	samples: Sample[];
	/** Times (ms) of the lines within recentMs of the newest one, oldest first from `recentFrom`. */
	recent: number[];
	recentFrom: number;
}

export class Tally {
	private readonly classes = new Map<string, ClassTally>();
	/** Counted lines per unit of `resolutionMs` (a second, or a minute once there are too many seconds). */
	private buckets = new Map<number, number>();
	private resolutionMs = second;
	/** The sample of each record (one per backend pid, '' when the format has none) whose DETAIL may follow. */
	private readonly open = new Map<string, Sample>();
	matching = 0;
	/** Counted lines that carried a time. */
	timed = 0;
	firstTime: Date | null = null;

	add(klass: LogClass, time: Date | null, text: string, record = ''): void {
		let t = this.classes.get(klass.class);
		if (!t) this.classes.set(klass.class, (t = {klass, count: 0, first: null, last: null, samples: [], recent: [], recentFrom: 0}));
		t.count++;
		this.matching++;
		if (time) this.addTime(t, time);
		const s = {text: cut(text)};
		t.samples.push(s);
		if (t.samples.length > maxSamples) t.samples.shift();
		this.open.delete(record);
		this.open.set(record, s);
		if (this.open.size > maxOpenRecords) this.open.delete(this.open.keys().next().value!);
	}

	private addTime(t: ClassTally, time: Date): void {
		const ms = time.getTime();
		this.timed++;
		if (!t.first || time < t.first) t.first = time;
		if (!t.last || time > t.last) t.last = time;
		if (!this.firstTime || time < this.firstTime) this.firstTime = time;
		t.recent.push(ms);
		const newest = t.last.getTime();
		while (t.recent[t.recentFrom]! < newest - recentMs) t.recentFrom++;
		if (t.recentFrom > 1024) {
			t.recent = t.recent.slice(t.recentFrom);
			t.recentFrom = 0;
		}
		const key = Math.floor(ms / this.resolutionMs);
		this.buckets.set(key, (this.buckets.get(key) ?? 0) + 1);
		if (this.buckets.size > maxSecondKeys && this.resolutionMs === second) {
			this.resolutionMs = minute;
			const folded = new Map<number, number>();
			for (const [s, n] of this.buckets) folded.set(Math.floor((s * second) / minute), (folded.get(Math.floor((s * second) / minute)) ?? 0) + n);
			this.buckets = folded;
		}
	}

	/** A Postgres DETAIL line belongs to its record: shown in that record's sample, never counted. */
	addDetail(text: string, record = ''): void {
		const s = this.open.get(record);
		if (s) s.text = cut(`${s.text} ${text}`);
	}

	/** A new record of this backend (or any line, without pids) that is not counted: a DETAIL after it is not the counted one's. */
	endRecord(record = ''): void {
		this.open.delete(record);
	}

	/** One row per class, most frequent first. `end` is the end of the window read (for the recent rate). */
	rows(end: Date | null): Row[] {
		return [...this.classes.values()]
			.sort((a, b) => b.count - a.count || a.klass.class.localeCompare(b.klass.class))
			.map(t => {
				const samples = t.samples.map(s => sample(s.text));
				const newest = samples.at(-1) ?? '';
				const span = t.first && t.last ? t.last.getTime() - t.first.getTime() : null;
				const since = end ? end.getTime() - recentMs : null;
				const recent = since === null || span === null ? null : t.recent.slice(t.recentFrom).filter(ms => ms >= since).length;
				return {
					class: t.klass.class,
					cause: t.klass.cause,
					count: t.count,
					first_seen: t.first?.toISOString() ?? null,
					last_seen: t.last?.toISOString() ?? null,
					// A burst within one minute is its count per minute, not an extrapolation from seconds.
					per_minute: span === null ? null : roundRate(t.count / Math.max(1, span / minute)),
					per_minute_last_5m: recent === null ? null : roundRate(recent / (recentMs / minute)),
					sample: samples.join(' ⏎ '),
					// The newest line, short, for finding messages and cause evidence; `sample` has up to three in full.
					example: truncate(newest, exampleChars),
					sqlstate: t.klass.sqlstate,
				};
			});
	}

	/**
	 * Counted lines per bucket from a little before the first one to `end`, the
	 * bucket the smallest of niceBucketSeconds that keeps it within maxBuckets
	 * (seconds for an incident of minutes); undefined with too few lines to chart.
	 */
	histogram(start: Date, end: Date): Histogram | undefined {
		if (this.timed < minChartLines || !this.firstTime) return undefined;
		const first = this.firstTime.getTime();
		const to = Math.max(end.getTime(), first);
		// Some quiet time before the first line, so the chart shows where it began.
		const lead = Math.min(Math.max(0, first - start.getTime()), Math.max(minute, (to - first) / 4));
		const from = first - lead;
		const bucketSeconds =
			niceBucketSeconds.find(b => b * second >= this.resolutionMs && Math.floor(to / (b * second)) - Math.floor(from / (b * second)) + 1 <= maxBuckets) ??
			Math.ceil((to - from) / second / maxBuckets);
		const bucketMs = bucketSeconds * second;
		const firstBucket = Math.floor(from / bucketMs);
		const counts = new Array<number>(Math.floor(to / bucketMs) - firstBucket + 1).fill(0);
		for (const [key, n] of this.buckets) {
			const i = Math.floor((key * this.resolutionMs) / bucketMs) - firstBucket;
			if (i >= 0 && i < counts.length) counts[i]! += n;
		}
		return {start: new Date(firstBucket * bucketMs).toISOString(), bucketSeconds, counts};
	}
}

/** Two significant digits (4.3, 0.067), whole numbers from 10 up: a rate is an estimate. */
export function roundRate(perMinute: number): number {
	return perMinute >= 10 ? Math.round(perMinute) : Number(perMinute.toPrecision(2));
}

/** Passwords removed, escaped (control characters made visible), then cut: a log line is untrusted text. */
export function sample(text: string): string {
	return truncate(escapeUntrusted(redactSecrets(cut(text))), sampleChars);
}
