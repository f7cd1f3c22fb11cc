import type {Histogram} from '../engine/types.ts';
import {bucketLabel} from '../text/sparkline.ts';
import {escapeHtml} from './escape-html.ts';
import {formatTime} from './format.ts';

/* A log step's matching lines over time as an inline SVG bar chart: a spike
 * at the moment the 500s began is the first thing a post-mortem looks for. */

const width = 640;
const height = 72;
const axis = 14;

export function histogramSvg(histogram: Histogram, label: string): string {
	const {counts} = histogram;
	if (counts.length === 0) return '';
	const max = Math.max(1, ...counts);
	const barWidth = width / counts.length;
	const gap = barWidth > 3 ? 1 : 0;
	const startMs = Date.parse(histogram.start);
	const bucketMs = histogram.bucketSeconds * 1000;
	const per = bucketLabel(histogram.bucketSeconds);
	const bars = counts
		.map((count, i) => {
			const h = count === 0 ? 0 : Math.max(1, (count / max) * (height - axis - 4));
			const x = (i * barWidth).toFixed(2);
			const y = (height - axis - h).toFixed(2);
			const at = Number.isNaN(startMs) ? '' : `${formatTime(new Date(startMs + i * bucketMs).toISOString())}: `;
			return `<rect x="${x}" y="${y}" width="${Math.max(0.5, barWidth - gap).toFixed(2)}" height="${h.toFixed(2)}"><title>${escapeHtml(`${at}${count}`)}</title></rect>`;
		})
		.join('');
	const end = Number.isNaN(startMs) ? '' : formatTime(new Date(startMs + counts.length * bucketMs).toISOString());
	const total = counts.reduce((a, b) => a + b, 0);
	return [
		`<svg class="histogram" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">`,
		`<title>${escapeHtml(`${label}: ${total} matching lines, at most ${max} per ${per}`)}</title>`,
		`<line x1="0" y1="${height - axis}" x2="${width}" y2="${height - axis}" class="axis"/>`,
		`<g class="bars">${bars}</g>`,
		`<text x="0" y="${height - 2}">${escapeHtml(formatTime(histogram.start))}</text>`,
		`<text x="${width}" y="${height - 2}" text-anchor="end">${escapeHtml(end)}</text>`,
		`<text x="${width}" y="10" text-anchor="end">max ${max}/${per}</text>`,
		'</svg>',
	].join('');
}
