import {test} from 'node:test';
import assert from 'node:assert/strict';
import {evaluateRules, maxFindingsPerRule, worstSeverity, atLeast} from '../../source/engine/rules.ts';
import {fillTemplate, formatValue} from '../../source/engine/template.ts';
import type {Rule} from '../../source/runbook/schema.ts';
import type {Row} from '../../source/engine/types.ts';

const thresholds = {slots_warning: 80, slots_critical: 95};
const slots: Rule = {
	id: 'slots',
	per: 'row',
	message: '{pct}% of slots used (warning at {$slots_warning}%)',
	warning: {column: 'pct', gte: '$slots_warning'},
	critical: {column: 'pct', gte: '$slots_critical'},
};
const judge = (rule: Rule, rows: Row[], rowCount = rows.length) => evaluateRules('connections', [rule], rows, rowCount, thresholds);

test('a row exactly at the warning threshold is a warning; one below is nothing', () => {
	assert.deepEqual(
		judge(slots, [{pct: 80}]).map(f => f.severity),
		['warning'],
	);
	assert.deepEqual(judge(slots, [{pct: 79}]), []);
	assert.deepEqual(judge(slots, [{pct: '79.99'}]), []);
});

test('at the critical threshold the most severe level wins, whatever the order in the rule', () => {
	assert.deepEqual(judge(slots, [{pct: 95}]).map(f => f.severity), ['critical']);
	assert.deepEqual(judge(slots, [{pct: 94}]).map(f => f.severity), ['warning']);
	const infoFirst: Rule = {id: 'x', per: 'row', message: 'm', info: {column: 'n', gte: 1}, warning: {column: 'n', gte: 2}};
	assert.deepEqual(judge(infoFirst, [{n: 1}, {n: 2}]).map(f => f.severity), ['warning', 'info']);
});

test('a finding names its step and rule, carries the row as evidence and fills the message', () => {
	const [finding] = judge(slots, [{pct: 96, max: 100}]);
	assert.deepEqual(finding, {
		stepId: 'connections',
		ruleId: 'slots',
		ref: 'connections.slots',
		severity: 'critical',
		message: '96% of slots used (warning at 80%)',
		evidence: {pct: 96, max: 100},
	});
});

test('per row: one finding per matching row, the most severe first', () => {
	const rule: Rule = {id: 'idle', per: 'row', message: 'pid {pid} idle {age} s', warning: {column: 'age', gt: 10}, critical: {column: 'age', gt: 60}};
	const findings = judge(rule, [{pid: 1, age: 20}, {pid: 2, age: 5}, {pid: 3, age: 61}]);
	assert.deepEqual(
		findings.map(f => [f.severity, f.message]),
		[
			['critical', 'pid 3 idle 61 s'],
			['warning', 'pid 1 idle 20 s'],
		],
	);
});

test(`per row: at most ${maxFindingsPerRule} findings, then one "… and N more"`, () => {
	const rule: Rule = {id: 'idle', per: 'row', message: 'pid {pid}', warning: {column: 'age', gt: 10}, critical: {column: 'age', gt: 60}};
	const exactly = Array.from({length: maxFindingsPerRule}, (_, i) => ({pid: i, age: 20}));
	assert.equal(judge(rule, exactly).length, maxFindingsPerRule, 'at the cap, no summary finding');

	const rows = [...Array.from({length: 6}, (_, i) => ({pid: i, age: 20})), {pid: 100, age: 99}, {pid: 101, age: 99}];
	const findings = judge(rule, rows);
	assert.equal(findings.length, maxFindingsPerRule + 1);
	assert.deepEqual(findings.slice(0, 2).map(f => f.message), ['pid 100', 'pid 101'], 'the critical rows are kept');
	const more = findings.at(-1)!;
	assert.equal(more.message, '… and 3 more like this');
	assert.equal(more.severity, 'warning');
	assert.equal(more.ref, 'connections.idle');
	assert.deepEqual(more.evidence, {});
});

test('per result: one finding for the whole result, judged on the first row and the row count', () => {
	const waiting: Rule = {
		id: 'waiting',
		per: 'result',
		message: '{rows} sessions wait on a lock',
		warning: {rows: {gte: 1}},
		critical: {rows: {gte: 5}},
	};
	assert.deepEqual(judge(waiting, []), []);
	assert.deepEqual(judge(waiting, [{pid: 1}]).map(f => [f.severity, f.message]), [['warning', '1 sessions wait on a lock']]);
	const five = Array.from({length: 5}, (_, i) => ({pid: i}));
	assert.deepEqual(judge(waiting, five).map(f => [f.severity, f.message]), [['critical', '5 sessions wait on a lock']]);
	// The count is the total before the executor's cap on rows.
	assert.deepEqual(judge(waiting, [{pid: 1}], 50).map(f => [f.severity, f.message]), [['critical', '50 sessions wait on a lock']]);

	const missing: Rule = {id: 'missing', per: 'result', message: 'the table is missing', critical: {rows: {eq: 0}}};
	assert.deepEqual(judge(missing, []).map(f => [f.severity, f.evidence]), [['critical', {}]]);
	assert.deepEqual(judge(missing, [{table: 'kv'}]), []);
});

test('the same conditions per row on a per-row rule over no rows give nothing', () => {
	const rule: Rule = {id: 'none', per: 'row', message: 'm', critical: {rows: {eq: 0}}};
	assert.deepEqual(judge(rule, []), []);
});

test('each rule of a step is judged on its own', () => {
	const a: Rule = {id: 'a', per: 'row', message: 'a', warning: {column: 'x', gt: 0}};
	const b: Rule = {id: 'b', per: 'result', message: 'b', info: {rows: {gt: 0}}};
	const findings = evaluateRules('s', [a, b], [{x: 1}], 1, {});
	assert.deepEqual(findings.map(f => f.ref), ['s.a', 's.b']);
	assert.equal(worstSeverity(findings), 'warning');
	assert.equal(worstSeverity([]), undefined);
});

test('severity order', () => {
	assert.equal(atLeast('critical', 'warning'), true);
	assert.equal(atLeast('warning', 'warning'), true);
	assert.equal(atLeast('info', 'warning'), false);
	assert.equal(atLeast('info', 'info'), true);
});

test('message templates: columns, thresholds, rows; unknown names stay visible', () => {
	const row: Row = {pid: 42, ratio: 0.8333, big: '12345678901234567890', pct: '96.42', query: null, ok: true};
	assert.equal(fillTemplate('{pid} {ratio} {pct} {query} {ok}', row, 3, thresholds), '42 0.8 96.4 — true');
	assert.equal(fillTemplate('{big}', row, 3, thresholds), '12345678901234567890');
	assert.equal(fillTemplate('{rows} rows, warn at {$slots_warning}', row, 3, thresholds), '3 rows, warn at 80');
	assert.equal(fillTemplate('{nope} {$nope}', row, 3, thresholds), '{nope} {$nope}');
	assert.equal(fillTemplate('{ not a name } {}', row, 3, thresholds), '{ not a name } {}');
	// A fallback for a value that is null, empty or missing; the value when there is one.
	assert.equal(fillTemplate('{query|no query} {pid|?} {nope|none}', row, 3, thresholds), 'no query 42 none');
	assert.equal(fillTemplate('at {@connect.primary|the primary}', row, 3, thresholds, () => null), 'at the primary');
	assert.equal(fillTemplate('at {@connect.primary|the primary}', row, 3, thresholds, () => '10.0.0.5:5432'), 'at 10.0.0.5:5432');
	assert.equal(formatValue(undefined), '—');
	assert.equal(formatValue(-2.56), '-2.6');
	assert.equal(formatValue('1.5'), '1.5', 'one decimal is left as sent');
	assert.equal(formatValue('-0.125'), '-0.1');
});
