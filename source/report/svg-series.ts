import type {Moment, Severity} from '../engine/types.ts';
import {escapeHtml} from './escape-html.ts';
import {formatTime} from './format.ts';

/* A watched figure over time as an inline SVG line chart for the post-mortem:
 * time runs left to right (a pause in the watch is a gap, not a jump), the
 * runbook's thresholds are dashed lines, samples it judged abnormal are
 * dots in the severity's colour, and each moment (a fix chosen, an action
 * taken: any timestamped event) is a vertical line with its label, so the
 * figures before and after it read as the evidence. */

export interface SeriesPoint {
	/** Milliseconds since the epoch. */
	at: number;
	value: number | null;
	severity?: Severity;
}

export interface SeriesChart {
	label: string;
	unit: string;
	/** One run of points per time the view was open: a line never crosses a pause. */
	runs: SeriesPoint[][];
	limits?: {warning?: number; critical?: number};
	/** The full height stands for at least this (the figure's critical limit). */
	ceiling?: number;
	moments: readonly Moment[];
}

const width = 640;
const height = 96;
const top = 14;
const axis = 14;
const plotHeight = height - top - axis;

/** At most one point per horizontal pixel: the highest of those that fall on it (a peak is never averaged away). */
function thin(run: SeriesPoint[], x: (at: number) => number): SeriesPoint[] {
	const out: SeriesPoint[] = [];
	let column = Number.NaN;
	for (const point of run) {
		const c = Math.round(x(point.at));
		const last = out.at(-1);
		if (c === column && last && (point.value ?? -Infinity) > (last.value ?? -Infinity)) out[out.length - 1] = point;
		else if (c !== column) out.push(point);
		column = c;
	}
	return out;
}

const number = (n: number) => (Math.round(n * 100) / 100).toString();

export function seriesSvg(chart: SeriesChart): string {
	const points = chart.runs.flat();
	const times = points.map(p => p.at).filter(t => Number.isFinite(t));
	if (times.length === 0) return '';
	const t0 = times.reduce((a, b) => Math.min(a, b));
	const t1 = Math.max(t0 + 1000, times.reduce((a, b) => Math.max(a, b)));
	const values = points.map(p => p.value).filter((v): v is number => v !== null);
	const max = values.reduce((a, b) => Math.max(a, b), chart.ceiling ?? 0) || 1;
	const x = (at: number) => ((at - t0) / (t1 - t0)) * width;
	const y = (value: number) => top + plotHeight - (Math.max(0, value) / max) * plotHeight;

	const lines = chart.runs
		.map(run => thin(run, x))
		.flatMap(run => {
			// A null (a rate's first sample) breaks the line too.
			const pieces: SeriesPoint[][] = [[]];
			for (const p of run) {
				if (p.value === null) pieces.push([]);
				else pieces.at(-1)!.push(p);
			}
			return pieces.filter(piece => piece.length > 0);
		});
	const paths = lines
		.map(piece => (piece.length === 1 ? `M${number(x(piece[0]!.at))},${number(y(piece[0]!.value!))}h1` : `M${piece.map(p => `${number(x(p.at))},${number(y(p.value!))}`).join('L')}`))
		.join('');
	const dots = lines
		.flat()
		.filter(p => p.severity === 'warning' || p.severity === 'critical')
		.map(p => `<circle class="${p.severity}" cx="${number(x(p.at))}" cy="${number(y(p.value!))}" r="2"><title>${escapeHtml(`${formatTime(new Date(p.at).toISOString())}: ${p.value}${chart.unit}`)}</title></circle>`)
		.join('');
	const limits = (['warning', 'critical'] as const)
		.map(kind => {
			const limit = chart.limits?.[kind];
			if (limit === undefined || !Number.isFinite(limit) || limit > max) return '';
			return `<line class="limit ${kind}" x1="0" x2="${width}" y1="${number(y(limit))}" y2="${number(y(limit))}"><title>${kind} at ${escapeHtml(`${number(limit)}${chart.unit}`)}</title></line>`;
		})
		.join('');
	const moments = chart.moments
		.map(m => ({...m, ms: Date.parse(m.at)}))
		.filter(m => m.ms >= t0 && m.ms <= t1)
		.map(m => {
			const mx = number(x(m.ms));
			const anchor = x(m.ms) > width / 2 ? 'end' : 'start';
			return `<g class="moment"><line x1="${mx}" x2="${mx}" y1="${top - 2}" y2="${height - axis}"/><text x="${mx}" y="${top - 4}" text-anchor="${anchor}">${escapeHtml(m.label)}</text><title>${escapeHtml(`${formatTime(m.at)}: ${m.label}`)}</title></g>`;
		})
		.join('');
	const last = values.at(-1);
	return [
		`<svg class="series" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">`,
		`<title>${escapeHtml(`${chart.label} over time: from ${number(values.reduce((a, b) => Math.min(a, b), Infinity))} to ${number(values.reduce((a, b) => Math.max(a, b), -Infinity))}${chart.unit}, last ${last === undefined ? '-' : number(last)}${chart.unit}`)}</title>`,
		`<line x1="0" y1="${height - axis}" x2="${width}" y2="${height - axis}" class="axis"/>`,
		limits,
		`<path class="line" d="${paths}"/>`,
		dots,
		moments,
		`<text x="0" y="${height - 2}">${escapeHtml(formatTime(new Date(t0).toISOString()))}</text>`,
		`<text x="${width}" y="${height - 2}" text-anchor="end">${escapeHtml(formatTime(new Date(t1).toISOString()))}</text>`,
		`<text x="${width / 2}" y="${height - 2}" text-anchor="middle">${escapeHtml(`top of the chart: ${number(max)}${chart.unit}`)}</text>`,
		'</svg>',
	].join('');
}
