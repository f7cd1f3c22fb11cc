import type {Severity, WatchSample, WatchSeries} from '../engine/types.ts';
import {Painter} from '../screen/painter.ts';
import {gridFromLines} from '../screen/cells.ts';
import type {Glyphs} from '../ui/glyphs.ts';
import type {Thresholds} from './figures.ts';
import {watchLines} from './view-lines.ts';

/* `pg500 watch` on a terminal: the live view drawn in place (only changed
 * cells after the first frame), redrawn whole after a resize, left on
 * screen when the watch ends. */

/** The samples kept for the view: more than any terminal is wide. */
const keptSamples = 2000;

export interface TerminalViewOptions {
	stdout: NodeJS.WriteStream;
	title: string;
	thresholds: Thresholds;
	intervalSeconds: number;
	color: boolean;
	glyphs: Glyphs;
}

export class TerminalView {
	private readonly painter: Painter;
	private series: WatchSeries;
	private status: {text: string; severity: Severity | 'info'} | undefined;
	private readonly onResize = () => {
		this.painter.resized();
		this.draw();
	};

	constructor(private readonly options: TerminalViewOptions) {
		this.painter = new Painter(text => options.stdout.write(text));
		this.series = {spans: [{startedAt: new Date().toISOString(), intervalSeconds: options.intervalSeconds}], samples: [], moments: []};
		options.stdout.on('resize', this.onResize);
	}

	/** Bytes written per frame (the first whole, then the changes). */
	get written(): readonly number[] {
		return this.painter.written;
	}

	add(sample: WatchSample): void {
		this.series = {...this.series, samples: [...this.series.samples.slice(-keptSamples + 1), sample]};
		this.draw();
	}

	say(text: string, severity: Severity | 'info'): void {
		this.status = {text: `${new Date().toISOString().slice(11, 19)} UTC ${text}`, severity};
		this.draw();
	}

	draw(): void {
		const {stdout, color, glyphs, thresholds} = this.options;
		const width = Math.max(20, stdout.columns ?? 80);
		// One line short of the terminal, as the guided screen: the view never scrolls the screen under itself.
		const height = Math.max(6, (stdout.rows ?? 24) - 1);
		const lines = watchLines({
			series: this.series,
			since: 0,
			thresholds,
			width,
			height,
			glyphs,
			title: this.options.title,
			status: this.status,
			footer: `q or Ctrl-C stops ${glyphs.dot} ${this.series.samples.length} samples, one every ${this.options.intervalSeconds} s`,
		});
		this.painter.paint(gridFromLines(lines, width, color));
	}

	close(): void {
		this.options.stdout.off('resize', this.onResize);
		this.painter.finish();
	}
}
