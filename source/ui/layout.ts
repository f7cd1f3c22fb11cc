import {fitText} from './lines.ts';

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

/** Packs hints into at most `lines` lines of `width`; the ones that do not fit are cut with the ellipsis. */
export function packHints(hints: string[], width: number, lines: number, ellipsis: string): string[] {
	const out: string[] = [''];
	for (const hint of hints) {
		const last = out.at(-1)!;
		const joined = last === '' ? hint : `${last} · ${hint}`;
		if ([...joined].length <= width) out[out.length - 1] = joined;
		else if (out.length < lines) out.push(hint);
		else {
			out[out.length - 1] = fitText(joined, width, ellipsis);
			break;
		}
	}
	return out;
}
