import {quoteIdent, quoteLiteral} from '../sql/quote.ts';
import {shellWord} from '../text/shell.ts';
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
 * How a value is written into a message: as it is, or quoted where the
 * message shows something for a person to run — by PostgreSQL's rules in SQL
 * (`GRANT pg_monitor TO {current_user:ident};`), by the shell's in a command
 * (`psql -d {@target.database:shell}`: a database may be named `a b` or `x; rm -rf ~`).
 */
const formats: Record<string, (value: string) => string> = {ident: quoteIdent, literal: quoteLiteral, shell: shellWord};

/** A value as a message shows it: formatted for reading, or quoted when the placeholder asks for it. */
function written(value: Value | undefined, format: string | undefined): string {
	return format ? formats[format]!(String(value ?? '')) : formatValue(value);
}

/** `{$threshold}`, `{column}` or `{@step-id.column}`, optionally `:ident`, `:literal` or `:shell`, optionally `|fallback`: key, format, fallback. */
export const placeholders = /\{(\$[A-Za-z_][A-Za-z0-9_]*|(?:@[a-z][a-z0-9-/]*\.)?[A-Za-z_][A-Za-z0-9_]*)(?::(ident|literal|shell))?(?:\|([^{}]*))?\}/g;

/** Whether a row has a value for every `{column}` of a template without a fallback (a connect step's failure row has none of a success's). */
export function fitsRow(template: string, row: Row): boolean {
	return [...template.matchAll(placeholders)].every(([, key, , fallback]) => fallback !== undefined || key!.startsWith('$') || key!.startsWith('@') || key === 'rows' || key! in row);
}

/**
 * Fills `{column}`, `{$threshold}`, `{@step-id.column}` (a value an earlier
 * step saw) and `{rows}` in a rule's message or a fix's text; a column or
 * step value followed by `:ident` or `:literal` (`{current_user:ident}`,
 * `{@step.column:literal}`) is quoted as SQL, by `:shell` as a shell word; one followed by `|text`
 * (`{@connect.primary|the primary}`) shows that text when there is no value
 * (a step that did not run, a null, a column the row lacks).
 */
export function fillTemplate(template: string, row: Row, rowCount: number, thresholds: Record<string, number>, lookup?: Lookup): string {
	return template.replace(placeholders, (whole, key: string, format?: string, fallback?: string) => {
		if (key.startsWith('$')) return thresholds[key.slice(1)] === undefined ? whole : String(thresholds[key.slice(1)]);
		if (key === 'rows') return String(rowCount);
		const earlier = key.startsWith('@');
		// A column the row lacks stays as written, unless a fallback says what to show.
		if (!earlier && !(key in row) && fallback === undefined) return whole;
		const value = earlier ? lookup?.(key.slice(1)) : row[key];
		if (fallback !== undefined && (value === null || value === undefined || value === '')) return fallback;
		return written(value, format);
	});
}
