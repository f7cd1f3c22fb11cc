import type {RunState} from '../engine/types.ts';
import {resultAge, shortAge} from './ages.ts';
import {statusMark, type Glyphs} from './glyphs.ts';
import {fitText, pad, shown, textWidth, wrapText, type Line, type Segment} from './lines.ts';
import type {GuideState} from './use-guide-state.ts';

/* The checklist beside the panel: the numbered steps with their status, the
 * one shown marked, and the chosen fix. Titles wrap when the list has the
 * height for it, else they are cut; the shown step stays in sight. */

interface Row {
	id: string;
	shown: boolean;
	mark: {symbol: string; color?: string};
	number: string;
	title: string;
	/** A resumed session's old result: its age, dim. */
	age?: string;
}

function rowsOf(run: RunState, guide: GuideState, running: string | undefined, glyphs: Glyphs, now: number): Row[] {
	const rows: Row[] = run.runbook.steps.map((def, i) => {
		const step = run.steps[def.id]!;
		const age = resultAge(step, run, now);
		return {
			id: def.id,
			shown: guide.view === 'step' && guide.focus === def.id,
			mark: running === def.id ? {symbol: glyphs.current, color: 'cyan'} : statusMark(step.status, step.done, glyphs),
			number: String(i + 1).padStart(2),
			title: step.title,
			age: age?.stale ? shortAge(age.ms) : undefined,
		};
	});
	const fix = run.chosenFix ? run.runbook.fixes.find(f => f.id === run.chosenFix!.id) : undefined;
	if (fix) rows.push({id: `fix:${fix.id}`, shown: guide.view === 'fix', mark: {symbol: glyphs.current, color: 'cyan'}, number: '', title: `Fix: ${fix.title}`});
	return rows;
}

export function sidebarLines(run: RunState, guide: GuideState, running: string | undefined, width: number, height: number, glyphs: Glyphs, now: number): Line[] {
	const rows = rowsOf(run, guide, running, glyphs, now);
	const symbolWidth = glyphs.unicode ? 1 : 3;
	const lead = symbolWidth + 3;
	const room = Math.max(4, width - lead);
	const titleOf = (r: Row) => (r.age ? `${r.title} ${r.age}` : r.title);
	const wrapped = rows.map(r => wrapText(titleOf(r), room, glyphs));
	const wrap = wrapped.reduce((n, parts) => n + parts.length, 0) <= height;
	const lines: {row: number; line: Line}[] = [];
	rows.forEach((r, i) => {
		const parts = wrap ? wrapped[i]! : [fitText(titleOf(r), room, glyphs)];
		parts.forEach((part, j) => {
			const style = {inverse: r.shown};
			const ageAt = r.age && j === parts.length - 1 && part.endsWith(` ${shown(r.age, glyphs)}`) ? part.length - r.age.length : -1;
			const text: Segment[] = ageAt >= 0 ? [{text: part.slice(0, ageAt), ...style}, {text: part.slice(ageAt), dim: true, ...style}] : [{text: part, ...style}];
			const head: Segment[] =
				j === 0
					? [{text: pad(r.mark.symbol, symbolWidth), color: r.mark.color, bold: true, ...style}, {text: pad(r.number ? `${r.number} ` : ' ', 3), ...style}]
					: [{text: ' '.repeat(lead), ...style}];
			const filler = Math.max(0, width - lead - textWidth(part));
			lines.push({row: i, line: {key: `side:${r.id}:${j}`, segments: [...head, ...text, ...(r.shown && filler > 0 ? [{text: ' '.repeat(filler), ...style}] : [])]}});
		});
	});
	// Keep the shown step in sight when the list is taller than the body.
	const focusAt = Math.max(0, lines.findIndex(l => rows[l.row]!.shown));
	const start = Math.max(0, Math.min(lines.length - height, focusAt - Math.floor(height / 2)));
	return lines.slice(start, start + height).map(l => l.line);
}
