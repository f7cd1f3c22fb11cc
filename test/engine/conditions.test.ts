import {test} from 'node:test';
import assert from 'node:assert/strict';
import {holds, resolveOperand} from '../../source/engine/conditions.ts';
import type {Condition} from '../../source/runbook/schema.ts';
import type {Row} from '../../source/engine/types.ts';

const thresholds = {slots_warning: 80, slots_critical: 95, zero: 0};
const on = (condition: Condition, row: Row, rowCount = 1) => holds(condition, row, rowCount, thresholds);

test('gt, gte, lt, lte at, below and above the operand', () => {
	const row = {used: 80};
	assert.equal(on({column: 'used', gt: 80}, row), false);
	assert.equal(on({column: 'used', gt: 79}, row), true);
	assert.equal(on({column: 'used', gte: 80}, row), true);
	assert.equal(on({column: 'used', gte: 81}, row), false);
	assert.equal(on({column: 'used', lt: 80}, row), false);
	assert.equal(on({column: 'used', lt: 81}, row), true);
	assert.equal(on({column: 'used', lte: 80}, row), true);
	assert.equal(on({column: 'used', lte: 79}, row), false);
});

test('bigint and numeric arrive as strings and compare as numbers, not as text', () => {
	// As text "9" > "10"; as numbers it is not.
	assert.equal(on({column: 'n', gt: 10}, {n: '9'}), false);
	assert.equal(on({column: 'n', gt: 10}, {n: '11'}), true);
	assert.equal(on({column: 'n', gte: 95}, {n: '95.00'}), true);
	assert.equal(on({column: 'n', lt: 0.5}, {n: '0.25'}), true);
	assert.equal(on({column: 'n', gt: 1e15}, {n: '9007199254740993'}), true);
	assert.equal(on({column: 'n', eq: 3}, {n: '3'}), true);
	assert.equal(on({column: 'n', eq: 3}, {n: '3.0'}), true);
	assert.equal(on({column: 'n', ne: 3}, {n: '4'}), true);
});

test('null, missing columns and non-numeric text never pass a numeric comparison', () => {
	for (const op of ['gt', 'gte', 'lt', 'lte'] as const) {
		assert.equal(on({column: 'n', [op]: 0}, {n: null}), false, `${op} on null`);
		assert.equal(on({column: 'n', [op]: 0}, {}), false, `${op} on a missing column`);
		assert.equal(on({column: 'n', [op]: 0}, {n: 'idle'}), false, `${op} on text`);
		assert.equal(on({column: 'n', [op]: 0}, {n: ''}), false, `${op} on empty text`);
	}
});

test('eq and ne on null, text and booleans', () => {
	assert.equal(on({column: 'sqlstate', eq: null}, {sqlstate: null}), true);
	assert.equal(on({column: 'sqlstate', ne: null}, {sqlstate: null}), false);
	assert.equal(on({column: 'sqlstate', ne: null}, {sqlstate: '53300'}), true);
	assert.equal(on({column: 'sqlstate', eq: null}, {sqlstate: '53300'}), false);
	assert.equal(on({column: 'failure', eq: 'refused'}, {failure: 'refused'}), true);
	assert.equal(on({column: 'failure', eq: 'refused'}, {failure: 'timeout'}), false);
	assert.equal(on({column: 'failure', ne: 'refused'}, {failure: 'timeout'}), true);
	assert.equal(on({column: 'superuser', eq: true}, {superuser: true}), true);
	assert.equal(on({column: 'superuser', eq: false}, {superuser: true}), false);
	assert.equal(on({column: 'superuser', ne: true}, {superuser: false}), true);
	// SQLSTATEs are text: "08006" is not the number 8006.
	assert.equal(on({column: 'sqlstate', eq: '08006'}, {sqlstate: '08006'}), true);
	assert.equal(on({column: 'sqlstate', eq: '8006'}, {sqlstate: '08006'}), false);
});

test('matches is a regular expression on text only', () => {
	assert.equal(on({column: 'sample', matches: 'deadlock detected'}, {sample: 'ERROR: deadlock detected'}), true);
	assert.equal(on({column: 'sample', matches: '^deadlock'}, {sample: 'ERROR: deadlock detected'}), false);
	assert.equal(on({column: 'sample', matches: '5[0-9]{4}'}, {sample: 'code 53300'}), true);
	assert.equal(on({column: 'sample', matches: '.*'}, {sample: null}), false);
	assert.equal(on({column: 'sample', matches: '1'}, {sample: 1}), false);
});

test('several operators on one comparison must all hold (a range)', () => {
	const range: Condition = {column: 'pct', gte: 80, lt: 95};
	assert.equal(on(range, {pct: 79}), false);
	assert.equal(on(range, {pct: 80}), true);
	assert.equal(on(range, {pct: 94.9}), true);
	assert.equal(on(range, {pct: 95}), false);
});

test('$name operands are the runbook thresholds', () => {
	assert.equal(on({column: 'pct', gte: '$slots_warning'}, {pct: 80}), true);
	assert.equal(on({column: 'pct', gte: '$slots_warning'}, {pct: 79.9}), false);
	assert.equal(on({column: 'pct', gte: '$slots_critical'}, {pct: '95'}), true);
	assert.equal(on({column: 'n', eq: '$zero'}, {n: '0'}), true);
	assert.equal(resolveOperand('$slots_critical', thresholds), 95);
	assert.equal(resolveOperand('plain', thresholds), 'plain');
	assert.throws(() => resolveOperand('$nope', thresholds), /unknown threshold "\$nope"/);
});

test('all and any nest', () => {
	const c: Condition = {
		any: [
			{all: [{column: 'state', eq: 'idle in transaction'}, {column: 'age', gt: 60}]},
			{column: 'waiting', gte: 5},
		],
	};
	assert.equal(on(c, {state: 'idle in transaction', age: 61, waiting: 0}), true);
	assert.equal(on(c, {state: 'idle in transaction', age: 60, waiting: 0}), false);
	assert.equal(on(c, {state: 'active', age: 600, waiting: 0}), false);
	assert.equal(on(c, {state: 'active', age: 0, waiting: '5'}), true);
	assert.equal(on({all: [{column: 'a', eq: 1}, {any: [{column: 'b', eq: 2}, {column: 'c', eq: 3}]}]}, {a: 1, b: 0, c: 3}), true);
	assert.equal(on({all: [{column: 'a', eq: 1}, {any: [{column: 'b', eq: 2}, {column: 'c', eq: 3}]}]}, {a: 1, b: 0, c: 0}), false);
});

test('rows compares the size of the whole result, not a column', () => {
	assert.equal(on({rows: {eq: 0}}, {}, 0), true);
	assert.equal(on({rows: {eq: 0}}, {}, 1), false);
	assert.equal(on({rows: {gt: 0}}, {x: 1}, 3), true);
	assert.equal(on({rows: {gte: 5}}, {x: 1}, 4), false);
	assert.equal(on({rows: {gte: 5}}, {x: 1}, 5), true);
	assert.equal(on({rows: {lt: 2, gt: 0}}, {}, 1), true);
	assert.equal(on({rows: {lte: '$zero'}}, {}, 0), true);
	// A column called rows does not count.
	assert.equal(on({rows: {gt: 10}}, {rows: 100}, 1), false);
});

test('@step.column operands compare with what an earlier step saw; unseen is never true', () => {
	const seen: Record<string, number | string> = {'connect.deadlocks': '4'};
	const lookup = (ref: string) => seen[ref];
	assert.equal(holds({column: 'deadlocks', gt: '@connect.deadlocks'}, {deadlocks: '5'}, 1, thresholds, lookup), true);
	assert.equal(holds({column: 'deadlocks', gt: '@connect.deadlocks'}, {deadlocks: '4'}, 1, thresholds, lookup), false);
	for (const op of ['gt', 'gte', 'lt', 'lte', 'eq', 'ne'] as const)
		assert.equal(holds({column: 'n', [op]: '@later.n'}, {n: 1}, 1, thresholds, lookup), false, op);
	assert.equal(holds({rows: {gte: '@later.n'}}, {}, 3, thresholds, lookup), false);
});
