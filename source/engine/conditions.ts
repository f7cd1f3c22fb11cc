import type {Condition} from '../runbook/schema.ts';
import type {Row, Value} from './types.ts';

type Operand = string | number | boolean | null | undefined;
type Thresholds = Record<string, number>;
/** The value of `@step-id.column` (first row of that step's result), if that step has run. */
export type Lookup = (ref: string) => Value | undefined;

/**
 * `$name` refers to a runbook threshold; `@step-id.column` to a value an
 * earlier step saw (e.g. a counter at the start of the run, to see it rise);
 * anything else is a literal. An earlier value that is missing makes the
 * comparison false, never true.
 */
export function resolveOperand(operand: Operand, thresholds: Thresholds, lookup?: Lookup): Operand {
	if (typeof operand === 'string' && operand.startsWith('$')) {
		const value = thresholds[operand.slice(1)];
		if (value === undefined) throw new Error(`unknown threshold "${operand}"`);
		return value;
	}
	if (typeof operand === 'string' && operand.startsWith('@')) return lookup?.(operand.slice(1)) ?? undefined;
	return operand;
}

/** PostgreSQL sends bigint and numeric as strings: compare them as numbers. */
function asNumber(value: Value | undefined): number | undefined {
	if (typeof value === 'number') return value;
	if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
	if (typeof value === 'boolean') return value ? 1 : 0;
	return undefined;
}

function compare(op: string, actual: Value | undefined, expected: Operand): boolean {
	if (op === 'matches') return typeof actual === 'string' && new RegExp(String(expected)).test(actual);
	if (op === 'eq' || op === 'ne') {
		const a = asNumber(actual);
		const e = asNumber(expected as Value);
		const equal =
			a !== undefined && e !== undefined && typeof expected !== 'string' ? a === e : String(actual ?? null) === String(expected);
		return op === 'eq' ? equal : !equal;
	}
	const a = asNumber(actual);
	const e = asNumber(expected as Value);
	if (a === undefined || e === undefined) return false;
	switch (op) {
		case 'gt':
			return a > e;
		case 'gte':
			return a >= e;
		case 'lt':
			return a < e;
		case 'lte':
			return a <= e;
		default:
			return false;
	}
}

const operators = ['gt', 'gte', 'lt', 'lte', 'eq', 'ne', 'matches'] as const;

/** Evaluates a rule condition against one row (and the size of the whole result). */
export function holds(condition: Condition, row: Row, rowCount: number, thresholds: Thresholds, lookup?: Lookup): boolean {
	if ('all' in condition) return condition.all.every(c => holds(c, row, rowCount, thresholds, lookup));
	if ('any' in condition) return condition.any.some(c => holds(c, row, rowCount, thresholds, lookup));
	if ('rows' in condition) {
		return Object.entries(condition.rows).every(([op, operand]) =>
			compare(op, rowCount, resolveOperand(operand, thresholds, lookup)),
		);
	}
	return operators.every(op => {
		if (!(op in condition)) return true;
		const expected = resolveOperand(condition[op], thresholds, lookup);
		return expected !== undefined && compare(op, row[condition.column], expected);
	});
}
