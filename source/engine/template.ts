import {quoteIdent, quoteLiteral} from '../sql/quote.ts';
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
 * How a value is written into a message: as it is, or quoted by
 * PostgreSQL's rules where the message shows SQL for a person to run
 * (`GRANT pg_monitor TO {current_user:ident};`).
 */
const formats: Record<string, (value: string) => string> = {ident: quoteIdent, literal: quoteLiteral};

/** A value as a message shows it: formatted for reading, or quoted when the placeholder asks for it. */
function written(value: Value | undefined, format: string | undefined): string {
	return format ? formats[format]!(String(value ?? '')) : formatValue(value);
}

/** `{$threshold}`, `{column}` or `{@step-id.column}`, optionally `:ident` or `:literal`: key and format. */
export const placeholders = /\{(\$[A-Za-z_][A-Za-z0-9_]*|(?:@[a-z][a-z0-9-/]*\.)?[A-Za-z_][A-Za-z0-9_]*)(?::(ident|literal))?\}/g;

/**
 * Fills `{column}`, `{$threshold}`, `{@step-id.column}` (a value an earlier
 * step saw) and `{rows}` in a rule's message; a column or step value followed
 * by `:ident` or `:literal` (`{current_user:ident}`, `{@step.column:literal}`)
 * is quoted as SQL.
 */
export function fillTemplate(template: string, row: Row, rowCount: number, thresholds: Record<string, number>, lookup?: Lookup): string {
	return template.replace(placeholders, (whole, key: string, format?: string) => {
		if (key.startsWith('$')) return thresholds[key.slice(1)] === undefined ? whole : String(thresholds[key.slice(1)]);
		if (key.startsWith('@')) return written(lookup?.(key.slice(1)), format);
		if (key === 'rows') return String(rowCount);
		return key in row ? written(row[key], format) : whole;
	});
}
