import {quoteIdent, quoteLiteral} from '../sql/quote.ts';
import type {Row, Value} from './types.ts';

/** Formats a value for a message: numbers rounded for reading, null as a dash. */
export function formatValue(value: Value | undefined): string {
	if (value === null || value === undefined) return '—';
	if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(1);
	if (typeof value === 'string' && /^-?\d+\.\d{2,}$/.test(value)) return Number(value).toFixed(1);
	return String(value);
}

/**
 * How a value is written into a message: as it is, or quoted by
 * PostgreSQL's rules where the message shows SQL for a person to run
 * (`GRANT pg_monitor TO {current_user:ident};`).
 */
const formats: Record<string, (value: string) => string> = {ident: quoteIdent, literal: quoteLiteral};

/** Fills `{column}`, `{column:ident}`, `{column:literal}`, `{$threshold}` and `{rows}` in a rule's message. */
export function fillTemplate(template: string, row: Row, rowCount: number, thresholds: Record<string, number>): string {
	return template.replace(/\{(\$?[A-Za-z_][A-Za-z0-9_]*)(?::(ident|literal))?\}/g, (whole, key: string, format?: string) => {
		if (key.startsWith('$')) return thresholds[key.slice(1)] === undefined ? whole : String(thresholds[key.slice(1)]);
		if (key === 'rows') return String(rowCount);
		if (!(key in row)) return whole;
		return format ? formats[format]!(String(row[key] ?? '')) : formatValue(row[key]);
	});
}
