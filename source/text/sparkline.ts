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

/** `5 s`, `1 min`, `2 h`. */
export function bucketLabel(seconds: number): string {
	if (seconds < 60) return `${seconds} s`;
	if (seconds < 3600 || seconds % 3600 !== 0) return `${Math.round((seconds / 60) * 10) / 10} min`;
	return `${seconds / 3600} h`;
}

/** `04:01–04:31 UTC` (with seconds when buckets are shorter than a minute), with the dates when the span crosses midnight. */
export function timeSpan(histogram: Histogram, dash: string): string {
	const start = Date.parse(histogram.start);
	if (Number.isNaN(start)) return histogram.start;
	const end = start + histogram.counts.length * histogram.bucketSeconds * 1000;
	const clock = (ms: number) => new Date(ms).toISOString().slice(11, histogram.bucketSeconds < 60 ? 19 : 16);
	const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
	return day(start) === day(end - 1) ? `${clock(start)}${dash}${clock(end)} UTC` : `${day(start)} ${clock(start)}${dash}${day(end)} ${clock(end)} UTC`;
}

/** The bars squeezed into what the span and the peak leave of `width`, and that span and peak. */
export function sparkline(histogram: Histogram, width: number, unicode: boolean): {bars: string; tail: string} {
	const span = timeSpan(histogram, unicode ? '–' : '-');
	const fit = (room: number) => squeeze(histogram.counts, room);
	const tail = (per: number, peak: number) => ` ${span}, peak ${peak}/${bucketLabel(per * histogram.bucketSeconds)}`;
	// The peak label depends on how many buckets were merged, and that on the room left: two passes settle it.
	let squeezed = fit(Math.max(8, width - tail(1, Math.max(0, ...histogram.counts)).length));
	squeezed = fit(Math.max(8, width - tail(squeezed.per, Math.max(0, ...squeezed.counts)).length));
	return {bars: bars(squeezed.counts, unicode), tail: tail(squeezed.per, Math.max(0, ...squeezed.counts))};
}
