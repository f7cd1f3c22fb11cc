import type {Histogram} from '../engine/types.ts';

/* A log step's matching lines over time as one line of bars, on screen and
 * in the Markdown report: a spike at the moment the 500s began shows at a
 * glance. An empty bucket is the lowest bar; any line at all lifts it one
 * step, so "few" never looks like "none". */

const unicodeBars = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
const asciiBars = ['_', '.', '-', '=', '#'];

/** Sums neighbouring buckets so the counts fit in `width` columns. */
export function squeeze(counts: number[], width: number): {counts: number[]; per: number} {
	const per = Math.max(1, Math.ceil(counts.length / Math.max(1, width)));
	const out: number[] = [];
	for (let i = 0; i < counts.length; i += per) out.push(counts.slice(i, i + per).reduce((a, b) => a + b, 0));
	return {counts: out, per};
}

export function bars(counts: number[], unicode: boolean): string {
	const ramp = unicode ? unicodeBars : asciiBars;
	const max = Math.max(0, ...counts);
	return counts.map(n => (n <= 0 || max === 0 ? ramp[0] : ramp[1 + Math.round(((n - 1) / Math.max(1, max - 1)) * (ramp.length - 2))])).join('');
}

/** Bucket sizes that read well, in seconds: a histogram's, and what a sparkline merges them into. */
export const niceBucketSeconds = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400];

/** `5 s`, `1 min`, `2 h`. */
export function bucketLabel(seconds: number): string {
	if (seconds < 60) return `${seconds} s`;
	if (seconds < 3600 || seconds % 3600 !== 0) return `${Math.round((seconds / 60) * 10) / 10} min`;
	return `${seconds / 3600} h`;
}

/**
 * `04:01–04:31 UTC` (with seconds when buckets of `shownSeconds` are shorter
 * than a minute), with the dates when the span crosses midnight.
 */
export function timeSpan(histogram: Histogram, dash: string, shownSeconds = histogram.bucketSeconds): string {
	const start = Date.parse(histogram.start);
	if (Number.isNaN(start)) return histogram.start;
	const end = start + histogram.counts.length * histogram.bucketSeconds * 1000;
	const clock = (ms: number) => new Date(ms).toISOString().slice(11, shownSeconds < 60 ? 19 : 16);
	const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
	return day(start) === day(end - 1) ? `${clock(start)}${dash}${clock(end)} UTC` : `${day(start)} ${clock(start)}${dash}${day(end)} ${clock(end)} UTC`;
}

/**
 * The bars, and the span and the peak per bar after them, in `width` columns:
 * buckets are merged into the smallest size that reads well (10 s, 2 min, …)
 * and leaves room for the span and the peak.
 */
export function sparkline(histogram: Histogram, width: number, unicode: boolean): {bars: string; tail: string} {
	const dash = unicode ? '–' : '-';
	const {bucketSeconds, counts} = histogram;
	const sizes = [...niceBucketSeconds.filter(size => size >= bucketSeconds && size % bucketSeconds === 0), Number.POSITIVE_INFINITY];
	let line = {bars: '', tail: ''};
	for (const size of sizes) {
		// Past the nice sizes: whatever merge fits (eight bars at the least).
		const per = Number.isFinite(size) ? size / bucketSeconds : Math.ceil(counts.length / 8);
		const squeezed = squeeze(counts, Math.ceil(counts.length / per));
		const shown = squeezed.per * bucketSeconds;
		line = {bars: bars(squeezed.counts, unicode), tail: ` ${timeSpan(histogram, dash, shown)}, peak ${Math.max(0, ...squeezed.counts)}/${bucketLabel(shown)}`};
		if (squeezed.counts.length + line.tail.length <= width) break;
	}
	return line;
}
