import type {Condition} from '../runbook/schema.ts';
import type {Row, Value} from './types.ts';

type Operand = string | number | boolean | null | undefined;
type Thresholds = Record<string, number>;

/** `$name` refers to a runbook threshold; anything else is a literal. */
export function resolveOperand(operand: Operand, thresholds: Thresholds): Operand {
	if (typeof operand === 'string' && operand.startsWith('$')) {
		const value = thresholds[operand.slice(1)];
		if (value === undefined) throw new Error(`unknown threshold "${operand}"`);
		return value;
	}
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
export function holds(condition: Condition, row: Row, rowCount: number, thresholds: Thresholds): boolean {
	if ('all' in condition) return condition.all.every(c => holds(c, row, rowCount, thresholds));
	if ('any' in condition) return condition.any.some(c => holds(c, row, rowCount, thresholds));
	if ('rows' in condition) {
		return Object.entries(condition.rows).every(([op, operand]) =>
			compare(op, rowCount, resolveOperand(operand, thresholds)),
		);
	}
	return operators.every(op => {
		if (!(op in condition)) return true;
		return compare(op, row[condition.column], resolveOperand(condition[op], thresholds));
	});
}
