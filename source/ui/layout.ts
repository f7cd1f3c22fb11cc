import type {Glyphs} from './glyphs.ts';
import {fitText, shown, textWidth, type Line} from './lines.ts';

/* Where things go for a terminal size. The frame stays one line shorter than
 * the terminal: Ink clears the whole screen on every update of a frame that
 * fills it, which flickers and floods a slow SSH link. */

export interface Layout {
	width: number;
	/** 0 when the terminal is too narrow for the checklist beside the panel. */
	checklistWidth: number;
	panelWidth: number;
	/** Lines for the checklist and the panel. */
	bodyHeight: number;
	footerHeight: number;
}

const headerHeight = 1;
const messageHeight = 1;

export function layoutFor(columns: number, rows: number): Layout {
	const width = Math.max(20, columns);
	const footerHeight = 2;
	const frame = Math.max(8, rows - 1);
	const checklistWidth = width >= 60 ? Math.min(32, Math.floor(width * 0.3)) : 0;
	// One column for the separator between the checklist and the panel.
	const panelWidth = checklistWidth > 0 ? width - checklistWidth - 2 : width;
	return {width, checklistWidth, panelWidth, bodyHeight: frame - headerHeight - messageHeight - footerHeight, footerHeight};
}

export interface Hint {
	text: string;
	/** Lower stays: when the footer is short of room the highest go first. */
	priority: number;
}

/**
 * The hints that fit in `lines` lines of `width`, in their order, joined by a
 * dot. When they do not all fit, the least important are left out whole
 * (never one cut in the middle): `?` lists every key.
 */
export function packHints(hints: Hint[], width: number, lines: number, glyphs: Glyphs): Line[] {
	const separator = ` ${shown(glyphs.dot, glyphs)} `;
	const pack = (kept: Hint[]) => {
		const out: string[] = [];
		for (const h of kept) {
			const text = shown(h.text, glyphs);
			const last = out.at(-1);
			if (last !== undefined && textWidth(last) + textWidth(separator) + textWidth(text) <= width) out[out.length - 1] = last + separator + text;
			else out.push(text);
		}
		return out;
	};
	const byImportance = hints.map((h, i) => ({h, i})).sort((a, b) => a.h.priority - b.h.priority || a.i - b.i);
	let kept = new Set<number>();
	for (const {i} of byImportance) {
		const trial = new Set([...kept, i]);
		if (pack(hints.filter((_, j) => trial.has(j))).length <= lines) kept = trial;
	}
	const packed = pack(hints.filter((_, j) => kept.has(j)));
	return Array.from({length: lines}, (_, i) => ({key: `footer:${i}`, segments: [{text: fitText(packed[i] ?? '', width, glyphs), dim: true}]}));
}
