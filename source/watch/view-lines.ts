import type {Severity, WatchSample, WatchSeries} from '../engine/types.ts';
import type {Glyphs} from '../ui/glyphs.ts';
import {fitLine, fitText, pad, type Line, type Segment} from '../ui/lines.ts';
import {figuresOf, shownValue, type Figure, type Thresholds} from './figures.ts';

/* The live watch view as lines, for `pg500 watch` on a terminal and the
 * guided session's `w`: per figure its verdict, current value and trend
 * since this watch began, over a sparkline as wide as the screen with one
 * cell per sample, each cell coloured by the runbook's verdict on that
 * sample. Pure: the caller draws the lines (only the cells that changed). */

export interface FiguresInput {
	series: WatchSeries;
	/** Index in series.samples of this watch's first sample: the trend is since then. */
	since: number;
	thresholds: Thresholds;
	width: number;
	/** Lines for the figures. */
	height: number;
	glyphs: Glyphs;
}

/** The whole view of `pg500 watch` on a terminal: what is watched, the figures, a problem, the keys. */
export interface WatchViewInput extends Omit<FiguresInput, 'height'> {
	height: number;
	/** The first line: what is watched. */
	title: string;
	/** A problem or a notice, under the figures. */
	status?: {text: string; severity: Severity | 'info'};
	/** The last line: the keys. */
	footer: string;
}

const colorOf: Record<Severity, string> = {info: 'cyan', warning: 'yellow', critical: 'red'};
const unicodeBars = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
const asciiBars = ['_', '.', ',', '-', '~', '=', '+', '#'];

/** Text fitted and padded to exactly `width` cells. */
const fit = (text: string, width: number, glyphs: Glyphs) => pad(fitText(text, width, glyphs), width);

const clock = (iso: string) => `${iso.slice(11, 19)} UTC`;

/** Which samples start a new watch (the view was closed in between): a gap is drawn before them. */
function breaksOf(series: WatchSeries): Set<number> {
	const breaks = new Set<number>();
	let span = 0;
	series.samples.forEach((sample, i) => {
		let next = span;
		while (next + 1 < series.spans.length && series.spans[next + 1]!.startedAt <= sample.at) next++;
		if (next !== span && i > 0) breaks.add(i);
		span = next;
	});
	return breaks;
}

/** The last `width` cells of the figure's series: a bar per sample scaled to the highest value shown, a gap where the watch paused. */
function sparkline(figure: Figure, samples: readonly WatchSample[], breaks: Set<number>, width: number, input: FiguresInput): Segment[] {
	const ramp = input.glyphs.unicode ? unicodeBars : asciiBars;
	// Newest last; a gap (undefined) before each sample that begins a new watch.
	const cells: (WatchSample | undefined)[] = [];
	for (let i = samples.length - 1; i >= 0 && cells.length < width; i--) {
		cells.push(samples[i]);
		if (breaks.has(i)) cells.push(undefined);
	}
	cells.reverse();
	const shown = cells.slice(-width);
	// The scale is the highest value on screen (the start of a long watch scrolls off, and so does its peak), at
	// least the limit the figure is judged against.
	const newest = samples.at(-1);
	const ceiling = (newest && figure.ceiling?.(newest, input.thresholds)) || 0;
	const max = shown.reduce((top, s) => Math.max(top, s ? (figure.value(s) ?? 0) : 0), ceiling);
	const segments: Segment[] = [];
	for (const sample of shown) {
		const value = sample ? figure.value(sample) : null;
		const text = value === null ? ' ' : value <= 0 || max === 0 ? ramp[0]! : ramp[Math.max(1, Math.round((value / max) * (ramp.length - 1)))]!;
		const severity = sample && value !== null ? figure.judge(sample, input.thresholds) : undefined;
		const color = severity ? colorOf[severity] : undefined;
		// Runs of one colour are one segment: fewer to lay out and fewer colour changes to send.
		const last = segments.at(-1);
		if (last && last.color === color) last.text += text;
		else segments.push({text, ...(color ? {color} : {})});
	}
	if (shown.length < width) segments.push({text: ' '.repeat(width - shown.length)});
	return segments;
}

/** The change since the first value this watch had (a rate has none in its first sample). */
function trend(figure: Figure, current: readonly WatchSample[], unicode: boolean): string {
	const last = current.at(-1);
	const first = current.find(s => figure.value(s) !== null);
	const from = first ? figure.value(first) : null;
	const to = last ? figure.value(last) : null;
	if (from === null || to === null || first === last) return '';
	const change = Math.round((to - from) * 100) / 100;
	const arrow = change > 0 ? (unicode ? '↑' : '^') : change < 0 ? (unicode ? '↓' : 'v') : unicode ? '→' : '=';
	return `${arrow} ${change > 0 ? '+' : ''}${change}${figure.unit} since ${clock(first!.at)}`;
}

function headline(figure: Figure, input: FiguresInput, current: readonly WatchSample[], labelWidth: number, valueWidth: number): Segment[] {
	const {glyphs} = input;
	const last = current.at(-1);
	const severity = last ? figure.judge(last, input.thresholds) : undefined;
	const symbol = last === undefined ? '' : severity ? glyphs[severity === 'info' ? 'ok' : severity] : glyphs.ok;
	const color = last === undefined ? undefined : severity ? colorOf[severity] : 'green';
	const value = last ? shownValue(figure, last) : '…';
	// As wide as the widest symbol (`ok` in ASCII): the labels stay in one column.
	const symbolWidth = Math.max(glyphs.ok.length, glyphs.warning.length, glyphs.critical.length);
	const rest = input.width - symbolWidth - labelWidth - valueWidth;
	const head: Segment[] = [
		{text: fit(symbol, symbolWidth, glyphs), ...(color ? {color} : {})},
		{text: ` ${fit(figure.label, labelWidth - 1, glyphs)}`},
		{text: fit(value, Math.min(valueWidth, input.width - symbolWidth - labelWidth), glyphs), bold: true, ...(severity ? {color} : {})},
	];
	// The trend where there is room for it (not in a narrow terminal).
	return rest > 12 ? [...head, {text: ` ${fit(trend(figure, current, glyphs.unicode), rest - 1, glyphs)}`, dim: true}] : head;
}

/** The figures in exactly `height` lines: two a figure (headline over a full-width sparkline) when they fit, else one (the sparkline beside). */
export function figureLines(input: FiguresInput): Line[] {
	const {series, width} = input;
	const samples = series.samples;
	const current = samples.slice(input.since);
	const breaks = breaksOf(series);
	const shownFigures = figuresOf(samples);
	const tall = input.height >= shownFigures.length * 2;
	// A narrow terminal shortens the labels first (the values and the symbols stay whole).
	const valueWidth = tall ? 16 : 12;
	const labelWidth = Math.max(12, Math.min(28, width - 3 - valueWidth));
	const lines: Line[] = [];
	for (const figure of shownFigures) {
		const head = headline(figure, input, current, labelWidth, valueWidth);
		if (tall) {
			lines.push({key: `${figure.id}:head`, segments: head});
			lines.push({key: `${figure.id}:spark`, segments: sparkline(figure, samples, breaks, width, input)});
		} else {
			const beside = head.slice(0, 3);
			const used = beside.reduce((n, s) => n + [...s.text].length, 0);
			lines.push({key: figure.id, segments: [...beside, {text: ' '}, ...sparkline(figure, samples, breaks, Math.max(0, width - used - 1), input)]});
		}
	}
	while (lines.length < input.height) lines.push({key: `blank:${lines.length}`, segments: [{text: ' '.repeat(width)}]});
	return lines.slice(0, Math.max(0, input.height)).map(line => fitLine(line, width, input.glyphs));
}

export function watchLines(input: WatchViewInput): Line[] {
	const {width, glyphs} = input;
	const statusColor = input.status ? colorOf[input.status.severity] : undefined;
	return [
		{key: 'title', segments: [{text: fit(input.title, width, glyphs), bold: true}]},
		...figureLines({...input, height: Math.max(1, input.height - 3)}),
		{key: 'status', segments: [{text: fit(input.status?.text ?? '', width, glyphs), ...(statusColor ? {color: statusColor} : {})}]},
		{key: 'footer', segments: [{text: fit(input.footer, width, glyphs), dim: true}]},
	].slice(0, Math.max(1, input.height));
}
