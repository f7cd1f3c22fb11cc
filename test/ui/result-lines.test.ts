import {test} from 'node:test';
import assert from 'node:assert/strict';
import type {Row, StepState} from '../../source/engine/types.ts';
import type {RunnableStep} from '../../source/runbook/schema.ts';
import {glyphsFor} from '../../source/ui/glyphs.ts';
import {textWidth, type Line} from '../../source/ui/lines.ts';
import {detailLines, resultLines} from '../../source/ui/result-lines.ts';

/* A result in the shape its runbook asks for, each row opening its detail. */

const utf8 = glyphsFor({LANG: 'C.UTF-8'});
const text = (lines: Line[]) => lines.map(l => l.segments.map(s => s.text).join(''));

function step(rows: Row[], columns?: string[]): StepState {
	return {id: 's', title: 'Blocked sessions', kind: 'sql', status: 'ok', rows, rowCount: rows.length, columns, findings: []};
}

function def(extra: Partial<RunnableStep> = {}): RunnableStep {
	return {id: 's', title: 'Blocked sessions', why: 'w', kind: 'sql', query: 'select 1', rules: [], ...extra} as RunnableStep;
}

// The lock chain of the drill, as the default runbook's lock-tree query returns it.
const chain: Row[] = [
	{pid: 1201, blocked_by: null, state: 'idle in transaction', waiting_s: null, query: 'UPDATE data_version SET version = version + 1 WHERE k = 0'},
	{pid: 1202, blocked_by: 1201, state: 'active', waiting_s: 35, query: 'UPDATE data_version …'},
	{pid: 1203, blocked_by: 1202, state: 'active', waiting_s: 34, query: 'UPDATE data_version …'},
	{pid: 1204, blocked_by: 1202, state: 'active', waiting_s: 30, query: 'UPDATE data_version …'},
];
const tree = def({display: {as: 'tree', node: 'pid', parent: 'blocked_by', key: ['state', 'waiting_s']}});

test('a tree: the root first with its pid whole, each waiter under the session it waits for', () => {
	const lines = resultLines('s', step(chain), tree, 54, utf8);
	assert.deepEqual(text(lines), [
		'pid         state                waiting_s',
		'1201        idle in transaction          —',
		'└─ 1202     active                      35',
		'   ├─ 1203  active                      34',
		'   └─ 1204  active                      30',
		'4 rows',
	]);
	assert.deepEqual(
		lines.filter(l => l.detail).map(l => l.detail!.name),
		['pid 1201', 'pid 1202', 'pid 1203', 'pid 1204'],
		'every node opens its detail',
	);
	assert.equal(lines[1]!.detail!.values['query'], chain[0]!['query'], 'with every column');
});

test('a tree from edges only: a parent without a row of its own is a root, a cycle is not lost', () => {
	const edges: Row[] = [
		{waiter: 7, blocker: 5},
		{waiter: 8, blocker: 7},
		{waiter: 9, blocker: 10},
		{waiter: 10, blocker: 9},
	];
	const lines = resultLines('s', step(edges), def({display: {as: 'tree', node: 'waiter', parent: 'blocker'}}), 40, utf8);
	// 9 and 10 wait for each other (a deadlock about to be broken): the one named first as a parent leads.
	assert.deepEqual(text(lines).slice(1, -1), ['5', '└─ 7', '   └─ 8', '10', '└─ 9']);
	assert.deepEqual(lines.filter(l => l.detail).map(l => l.detail!.values), [{waiter: '5'}, edges[0], edges[1], edges[3], edges[2]]);
});

test('transposed: one line per setting with its full name, one column per role', () => {
	const rows: Row[] = [
		{role: 'denokv', statement_timeout: '200ms', statement_timeout_from: 'database denokv', idle_in_tx_timeout: '0'},
		{role: 'oncall', statement_timeout: '0', statement_timeout_from: 'server', idle_in_tx_timeout: '0'},
	];
	const lines = resultLines('s', step(rows), def({display: {as: 'transposed', label: 'role'}}), 54, utf8);
	assert.deepEqual(text(lines), [
		'role                    denokv           oncall',
		'statement_timeout       200ms            0',
		'statement_timeout_from  database denokv  server',
		'idle_in_tx_timeout      0                0',
		'2 rows, one per column',
	]);
	assert.deepEqual(lines[2]!.detail, {step: 'Blocked sessions', name: 'statement_timeout_from', columns: ['denokv', 'oncall'], values: {denokv: 'database denokv', oncall: 'server'}});
});

test('a table of the key columns: the others are one key away, in the detail', () => {
	const rows: Row[] = [
		{pid: 1, app: 'denokv', idle_s: 75, last_query: 'SELECT 1'},
		{pid: 2, app: 'cron', idle_s: 12, last_query: 'SELECT 2'},
	];
	const lines = resultLines('s', step(rows, ['pid', 'app', 'idle_s', 'last_query']), def({display: {key: ['pid', 'idle_s']}}), 54, utf8);
	assert.deepEqual(text(lines), ['pid  idle_s', '  1      75', '  2      12', '2 rows']);
	assert.deepEqual(lines[1]!.detail!.columns, ['pid', 'app', 'idle_s', 'last_query']);
});

test('one row: a record, whose long value wraps (at most three lines here) and is whole in its detail', () => {
	const query = `UPDATE data_version SET version = version + 1 WHERE k = 0 RETURNING version ${'-- padding '.repeat(12)}`;
	const row: Row = {root_blocker_pid: 9077, root_state: 'idle in transaction', root_query: query};
	const lines = resultLines('s', step([row]), def(), 54, utf8);
	const shown = text(lines);
	assert.equal(shown[0], 'root_blocker_pid  9077');
	assert.equal(shown.filter(l => l.startsWith('                  ') || l.startsWith('root_query')).length, 3);
	assert.ok(shown.every(l => textWidth(l) <= 54));
	const detail = text(detailLines(lines[0]!.detail!, 'Locks', {index: 0, count: 1}, 54, utf8));
	assert.equal(detail[0], 'Locks: the result');
	assert.equal(detail.slice(2).join(' ').replace(/\s+/g, ' ').includes(query.trim().replace(/\s+/g, ' ')), true, 'the whole query in the detail');
});

test('a tree whose parent column lists several pids hangs each row under the first; a row without a node (a summary) comes first', () => {
	const rows: Row[] = [
		{kind: 'summary', pid: null, waits_for: null, wait_s: '26.0'},
		{kind: 'root', pid: 101, waits_for: null, wait_s: '26.0'},
		{kind: 'waiter', pid: 102, waits_for: '101', wait_s: '26'},
		{kind: 'waiter', pid: 103, waits_for: '{101,102}', wait_s: '25'},
	];
	const lines = resultLines('s', step(rows), def({display: {as: 'tree', node: 'pid', parent: 'waits_for', key: ['wait_s']}}), 40, utf8);
	assert.deepEqual(text(lines), ['pid     wait_s', '          26.0', '101       26.0', '├─ 102      26', '└─ 103      25', '4 rows']);
	assert.deepEqual(lines.filter(l => l.detail).map(l => l.detail!.name), ['row 1', 'pid 101', 'pid 102', 'pid 103']);
});
