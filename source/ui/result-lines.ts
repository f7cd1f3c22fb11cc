import {formatValue} from '../engine/template.ts';
import type {Row, StepState} from '../engine/types.ts';
import type {Display, RunnableStep} from '../runbook/schema.ts';
import type {Glyphs} from './glyphs.ts';
import {columnOf, fitTable, type TableColumn} from './fit-table.ts';
import {fitText, pad, plain, textWidth, wrapText, type Detail, type Line} from './lines.ts';

/* A step's result rows in the shape its runbook asks for (`display`): a
 * record, a table of the key columns, a tree, or a transposed table. Each
 * row's line carries the row's detail — every column, in full — which the
 * guide opens on → or Enter. Pure, like the other line builders. */

/** Rows shown on screen; the rest are counted (the report carries them all). */
const maxRows = 50;
/** A value in a record takes at most this many lines; its detail shows the rest. */
const recordValueLines = 3;

/** Every column of the result, in the order the query returned them. */
export function resultColumns(step: StepState): string[] {
	return step.columns?.length ? step.columns : [...new Set(step.rows.flatMap(row => Object.keys(row)))];
}

/** The columns that matter most, as far as the result has them: the display's key, else the runbook's columns, else all. */
function keyColumns(display: Display | undefined, declared: string[] | undefined, all: string[]): string[] {
	const wanted = (display?.key ?? declared ?? all).filter(c => all.includes(c));
	return wanted.length > 0 ? wanted : all;
}

/** `column  value` lines; a long value wraps under itself (at most `maxLines` lines, then cut: the detail has it all). */
export function recordLines(key: string, columns: string[], row: Row, width: number, glyphs: Glyphs, maxLines = Number.POSITIVE_INFINITY): Line[] {
	const label = Math.min(Math.max(...columns.map(textWidth)), Math.floor(width / 2));
	const room = Math.max(8, width - label - 2);
	return columns.flatMap((c, i) => {
		let parts = wrapText(formatValue(row[c]), room, glyphs);
		if (parts.length > maxLines) parts = [...parts.slice(0, maxLines - 1), fitText(parts.slice(maxLines - 1).join(' '), room, glyphs)];
		return parts.map((part, j) => plain(`${key}:rec${i}:${j}`, `${pad(j === 0 ? fitText(c, label, glyphs) : '', label)}  ${part}`));
	});
}

function countLine(key: string, step: StepState, shownRows: number, hidden: string[], glyphs: Glyphs, transposed = false): Line {
	const parts = [`${step.rowCount} row${step.rowCount === 1 ? '' : 's'}${transposed ? ', one per column' : ''}`];
	if (step.rowCount > shownRows) parts.push(`${step.rowCount - shownRows} more in the report`);
	if (hidden.length > 0) parts.push(`${hidden.length} more column${hidden.length === 1 ? '' : 's'}: → detail`);
	return plain(`${key}:count`, parts.join(` ${glyphs.dot} `), {dim: true});
}

function tableLines(key: string, columns: TableColumn[], details: Detail[], step: StepState, width: number, glyphs: Glyphs, transposed = false): Line[] {
	const table = fitTable(columns, width, glyphs);
	return [
		...table.header.map((h, i) => plain(`${key}:th${i}`, h, {bold: true})),
		...table.rows.map((r, i) => ({...plain(`${key}:tr${i}`, r), detail: details[i]})),
		countLine(key, step, transposed ? step.rows.length : table.rows.length, table.hidden, glyphs, transposed),
	];
}

interface TreeNode {
	id: string;
	row?: Row;
	children: TreeNode[];
}

const blank = (value: Row[string] | undefined) => value === null || value === undefined || value === '';

/** The parent a row names: the first when it names several (`{901,902}`, `901 902`: pg_blocking_pids). */
function parentOf(value: Row[string] | undefined): string | undefined {
	return blank(value) ? undefined : String(value).split(/[\s,{}]+/).find(Boolean);
}

/**
 * Rows linked by `node` and `parent` as a forest, in the result's order. A
 * parent named by a row but without a row of its own is a root of its own
 * (only its id is known); a node in a cycle (a deadlock caught mid-way) is
 * shown as a root rather than lost. Rows without a node (a summary) are left
 * to the caller.
 */
function forest(rows: Row[], node: string, parent: string): TreeNode[] {
	const nodes = new Map<string, TreeNode>();
	const parents = new Map<string, string>();
	const order: string[] = [];
	const get = (id: string) => {
		let n = nodes.get(id);
		if (!n) {
			n = {id, children: []};
			nodes.set(id, n);
			order.push(id);
		}
		return n;
	};
	for (const row of rows) {
		if (blank(row[node])) continue;
		const id = formatValue(row[node]);
		const up = parentOf(row[parent]);
		// A parent first, so a root named only as a parent comes before its waiters.
		if (up !== undefined) get(up);
		const n = get(id);
		if (n.row) continue;
		n.row = row;
		if (up !== undefined && up !== id) parents.set(id, up);
	}
	const placed = new Set<string>();
	const place = (n: TreeNode, ancestors: Set<string>): void => {
		placed.add(n.id);
		for (const id of order)
			if (parents.get(id) === n.id && !placed.has(id) && !ancestors.has(id)) {
				const child = nodes.get(id)!;
				n.children.push(child);
				place(child, new Set([...ancestors, n.id]));
			}
	};
	const roots: TreeNode[] = [];
	for (const id of order)
		if (!parents.has(id) && !placed.has(id)) {
			roots.push(nodes.get(id)!);
			place(nodes.get(id)!, new Set());
		}
	for (const id of order)
		if (!placed.has(id)) {
			roots.push(nodes.get(id)!);
			place(nodes.get(id)!, new Set());
		}
	return roots;
}

/** The forest depth-first, each node with the branches that lead to it. */
function treeRows(roots: TreeNode[], glyphs: Glyphs): {node: TreeNode; prefix: string}[] {
	const out: {node: TreeNode; prefix: string}[] = [];
	const walk = (n: TreeNode, lead: string, branch: string) => {
		out.push({node: n, prefix: lead + branch});
		n.children.forEach((child, i) => {
			const last = i === n.children.length - 1;
			walk(child, lead + (branch === '' ? '' : branch === glyphs.tree.last ? '   ' : glyphs.tree.pipe), last ? glyphs.tree.last : glyphs.tree.branch);
		});
	};
	for (const root of roots) walk(root, '', '');
	return out;
}

/** A step's result rows as the screen shows them, each row's line carrying its detail. */
export function resultLines(key: string, step: StepState, def: RunnableStep, width: number, glyphs: Glyphs): Line[] {
	if (step.rows.length === 0) return [];
	const display = def.display;
	const all = resultColumns(step);
	const keys = keyColumns(display, def.columns, all);
	const rows = step.rows.slice(0, maxRows);
	const mode = display?.as ?? (step.rows.length === 1 && step.rowCount === 1 ? 'record' : 'table');
	const detailOf = (name: string, row: Row): Detail => ({step: step.title, name, columns: all, values: row});

	if (mode === 'record') {
		const lines = rows.flatMap((row, i) => {
			const record = recordLines(`${key}:r${i}`, keys, row, width, glyphs, recordValueLines);
			const name = rows.length === 1 ? 'the result' : `row ${i + 1}`;
			return [...(i > 0 ? [plain(`${key}:r${i}:gap`, '')] : []), {...record[0]!, detail: detailOf(name, row)}, ...record.slice(1)];
		});
		const more = all.length - keys.length;
		if (more > 0) lines.push(plain(`${key}:more`, `${more} more column${more === 1 ? '' : 's'} in the detail`, {dim: true}));
		if (step.rowCount > rows.length) lines.push(countLine(key, step, rows.length, [], glyphs));
		return lines;
	}

	if (mode === 'tree' && display?.node && display.parent) {
		const {node, parent} = display;
		// Rows without a node (a summary) come first, outside the tree.
		const loose = rows.filter(r => blank(r[node]));
		const walked = [...loose.map(row => ({prefix: '', id: '', row})), ...treeRows(forest(rows, node, parent), glyphs).map(w => ({prefix: w.prefix, id: w.node.id, row: w.node.row}))];
		const rest = keys.filter(c => c !== node && c !== parent);
		const columns = [
			columnOf(
				node,
				walked.map(w => (w.id === '' ? '' : w.prefix + w.id)),
				{whole: true},
			),
			...rest.map(c => columnOf(c, walked.map(w => (w.row ? w.row[c] : undefined)))),
		];
		const details = walked.map((w, i) => detailOf(w.id === '' ? `row ${i + 1}` : `${node} ${w.id}`, w.row ?? {[node]: w.id}));
		return tableLines(key, columns, details, step, width, glyphs);
	}

	if (mode === 'transposed') {
		const label = display?.label && all.includes(display.label) ? display.label : all[0]!;
		const names = keys.filter(c => c !== label);
		const heads = rows.map((row, i) => (row[label] === null || row[label] === undefined ? `#${i + 1}` : formatValue(row[label])));
		const columns = [columnOf(label, names, {whole: true}), ...rows.map((row, i) => ({...columnOf(heads[i]!, names.map(c => row[c])), align: 'left' as const}))];
		const details = names.map(c => ({step: step.title, name: c, columns: heads, values: Object.fromEntries(rows.map((row, i) => [heads[i]!, row[c] ?? null]))}));
		return tableLines(key, columns, details, step, width, glyphs, true);
	}

	const columns = keys.map(c => columnOf(c, rows.map(r => r[c])));
	return tableLines(
		key,
		columns,
		rows.map((row, i) => detailOf(`row ${i + 1}`, row)),
		step,
		width,
		glyphs,
	);
}

/** The detail of one row: every column, in full. */
export function detailLines(detail: Detail, title: string, position: {index: number; count: number}, width: number, glyphs: Glyphs): Line[] {
	return [
		{key: 'detail:title', segments: [{text: fitText(`${title}: ${detail.name}`, width, glyphs), bold: true}]},
		plain('detail:where', `${position.index + 1} of ${position.count}`, {dim: true}),
		...recordLines('detail', detail.columns, detail.values, width, glyphs),
	];
}
