import type pg from 'pg';
import type {Row, Value} from '../engine/types.ts';
import {escapeRow, escapeUntrusted, truncate} from '../text/escape.ts';
import {redactedPrefix} from '../text/secrets.ts';

/* Result values as the engine takes them. Integers and floats that fit a
 * double become numbers; bigint and numeric stay strings (exact; the engine
 * compares numerically); everything else stays PostgreSQL's own text form
 * (timestamps, intervals, arrays), which is JSON-safe and what psql shows. */

export const maxRows = 50;
export const maxTextLength = 500;

const oids = {bool: 16, int2: 21, int4: 23, oid: 26, float4: 700, float8: 701};
const asNumber = new Set<number>([oids.int2, oids.int4, oids.oid, oids.float4, oids.float8]);

const text = (value: string) => value;
const bool = (value: string) => value === 't';

export const valueTypes = {
	getTypeParser: ((oid: number) => (oid === oids.bool ? bool : asNumber.has(oid) ? Number : text)) as unknown as pg.CustomTypesConfig['getTypeParser'],
};

function jsonSafe(value: unknown): Value {
	if (value === null || value === undefined) return null;
	if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
	if (typeof value === 'boolean' || typeof value === 'string') return value;
	return String(value);
}

export interface ShapedResult {
	rows: Row[];
	rowCount: number;
	columns: string[];
}

/** Caps the rows, truncates long text and escapes every string. */
export function shapeResult(result: pg.QueryResult): ShapedResult {
	const columns = result.fields.map(f => f.name);
	const rows = result.rows.slice(0, maxRows).map(raw => {
		const row: Row = {};
		for (const column of columns) {
			const value = jsonSafe((raw as Record<string, unknown>)[column]);
			// Passwords out before the cut (query text can hold a URL or ALTER ROLE … PASSWORD).
			row[column] = typeof value === 'string' ? truncate(redactedPrefix(value, maxTextLength), maxTextLength) : value;
		}
		return escapeRow(row);
	});
	return {rows, rowCount: result.rows.length, columns: columns.map(name => escapeUntrusted(name))};
}

/** Every row, values as they are: for the log reader, which escapes what it keeps itself. */
export function plainRows(result: pg.QueryResult): Row[] {
	return result.rows.map(raw => {
		const row: Row = {};
		for (const [column, value] of Object.entries(raw as Record<string, unknown>)) row[column] = jsonSafe(value);
		return row;
	});
}
