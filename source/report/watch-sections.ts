import type {Severity, WatchSample} from '../engine/types.ts';
import {figuresOf, summarize, type Figure, type FigureSummary} from '../watch/figures.ts';
import {escapeHtml} from './escape-html.ts';
import {formatTime, severitySymbol} from './format.ts';
import {seriesSvg, type SeriesPoint} from './svg-series.ts';
import type {JsonWatch} from './watch-json.ts';

/* The report's section on the watched figures: in Markdown each figure's
 * min, max and last with a sparkline, in HTML a chart per figure with the
 * moments marked. It renders the JSON report's `watch` alone, so it moves
 * with the report's layout as one piece. */

/** Columns of a sparkline in a ticket: longer lines wrap in chat and issue trackers. */
const sparkWidth = 60;
const bars = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

const symbolOf = (s: Severity | undefined) => (s ? severitySymbol[s] : '✔');
const shown = (figure: Figure, v: number | null) => (v === null ? '–' : `${v}${figure.unit}`);
/** The highest value, with the worst verdict any sample had when one was abnormal: where it stood at its worst. */
const peak = (figure: Figure, summary: FigureSummary) => `${shown(figure, summary.max)}${summary.worstSeverity ? ` ${severitySymbol[summary.worstSeverity]}` : ''}`;

/** The figure over the whole series in at most `sparkWidth` bars, each the highest sample it covers. */
function spark(figure: Figure, samples: readonly WatchSample[], thresholds: Record<string, number>): string {
	const per = Math.max(1, Math.ceil(samples.length / sparkWidth));
	const peaks: (number | null)[] = [];
	for (let i = 0; i < samples.length; i += per) {
		const values = samples.slice(i, i + per).map(s => figure.value(s)).filter((v): v is number => v !== null);
		peaks.push(values.length ? values.reduce((a, b) => Math.max(a, b)) : null);
	}
	const last = samples.at(-1);
	const max = peaks.reduce<number>((a, b) => Math.max(a, b ?? 0), (last && figure.ceiling?.(last, thresholds)) || 0);
	return peaks.map(v => (v === null ? ' ' : v <= 0 || max === 0 ? bars[0] : bars[Math.max(1, Math.round((v / max) * (bars.length - 1)))])).join('');
}

function overview(watch: JsonWatch): string {
	const first = watch.samples[0]!;
	const last = watch.samples.at(-1)!;
	const intervals = [...new Set(watch.spans.map(s => s.intervalSeconds))].join(' or ');
	const times = watch.spans.length === 1 ? 'once' : `${watch.spans.length} times`;
	return `Watched ${times} from ${formatTime(first.at)} to ${formatTime(last.at)}: ${watch.samples.length} samples, one every ${intervals} s.`;
}

interface Row {
	figure: Figure;
	summary: FigureSummary;
}

function rows(watch: JsonWatch): Row[] {
	return figuresOf(watch.samples).map(figure => ({figure, summary: summarize(figure, watch.samples, watch.thresholds)}));
}

export function watchMarkdown(watch: JsonWatch | null, escape: (text: string) => string): string {
	if (!watch) return '';
	const lines = ['## Watched figures', '', overview(watch)];
	if (watch.moments.length > 0) {
		lines.push('', 'Moments marked:');
		for (const m of watch.moments) lines.push(`- ${formatTime(m.at)}: ${escape(m.label)}`);
	}
	// The symbol first is where the figure stands at the last sample; the one after the max, how bad it was at its worst.
	lines.push('', '| | figure | min | max | last | over time |', '| --- | --- | --- | --- | --- | --- |');
	for (const {figure, summary} of rows(watch))
		lines.push(
			`| ${symbolOf(summary.lastSeverity)} | ${figure.label} | ${shown(figure, summary.min)} | ${peak(figure, summary)} | ${shown(figure, summary.last)} | \`${spark(figure, watch.samples, watch.thresholds)}\` |`,
		);
	return lines.join('\n');
}

function points(figure: Figure, watch: JsonWatch): SeriesPoint[][] {
	const starts = watch.spans.map(s => Date.parse(s.startedAt));
	const runs: SeriesPoint[][] = [];
	let span = -1;
	for (const sample of watch.samples) {
		const at = Date.parse(sample.at);
		let next = span;
		while (next + 1 < starts.length && starts[next + 1]! <= at) next++;
		if (next !== span || runs.length === 0) runs.push([]);
		span = next;
		runs.at(-1)!.push({at, value: figure.value(sample), severity: figure.judge(sample, watch.thresholds)});
	}
	return runs;
}

export function watchHtml(watch: JsonWatch | null): string {
	if (!watch) return '';
	const last = watch.samples.at(-1)!;
	const charts = rows(watch).map(({figure, summary}) => {
		const caption = `<h3><span class="sym ${summary.lastSeverity ?? 'ok'}">${symbolOf(summary.lastSeverity)}</span> ${escapeHtml(figure.label)} <span class="muted">min ${escapeHtml(shown(figure, summary.min))} · max ${escapeHtml(peak(figure, summary))} · last ${escapeHtml(shown(figure, summary.last))}</span></h3>`;
		const svg = seriesSvg({
			label: figure.label,
			unit: figure.unit,
			runs: points(figure, watch),
			limits: figure.limits?.(last, watch.thresholds),
			ceiling: figure.ceiling?.(last, watch.thresholds),
			moments: watch.moments,
		});
		return `<figure class="watched">${caption}${svg}</figure>`;
	});
	return `<section><h2>Watched figures</h2><p>${escapeHtml(overview(watch))}</p>${charts.join('\n')}</section>`;
}
