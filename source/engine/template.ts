import type {Row, Value} from './types.ts';
import type {Lookup} from './conditions.ts';

/** Formats a value for a message: numbers rounded for reading, null as a dash. */
export function formatValue(value: Value | undefined): string {
	if (value === null || value === undefined) return '—';
	if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(1);
	if (typeof value === 'string' && /^-?\d+\.\d{2,}$/.test(value)) return Number(value).toFixed(1);
	return String(value);
}

/**
 * Fills `{column}`, `{$threshold}`, `{@step-id.column}` (a value an earlier step saw) and `{rows}`
 * in a rule's message or a fix's text. `{column|text}` and `{@step-id.column|text}` give the
 * text to show when there is no such value (a step that did not run, a null).
 */
export function fillTemplate(template: string, row: Row, rowCount: number, thresholds: Record<string, number>, lookup?: Lookup): string {
	return template.replace(/\{(\$?[A-Za-z_][A-Za-z0-9_]*|@[a-z][a-z0-9-/]*\.[A-Za-z_][A-Za-z0-9_]*)(?:\|([^{}]*))?\}/g, (whole, key: string, fallback?: string) => {
		if (key.startsWith('$')) return thresholds[key.slice(1)] === undefined ? whole : String(thresholds[key.slice(1)]);
		if (key === 'rows') return String(rowCount);
		const earlier = key.startsWith('@');
		// A column the row lacks stays as written, unless a fallback says what to show.
		if (!earlier && !(key in row) && fallback === undefined) return whole;
		const value = earlier ? lookup?.(key.slice(1)) : row[key];
		if (fallback !== undefined && (value === null || value === undefined || value === '')) return fallback;
		return formatValue(value);
	});
}
