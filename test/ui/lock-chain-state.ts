import {initialState, reduce} from '../../source/engine/reducer.ts';
import type {RunEvent, RunState} from '../../source/engine/types.ts';
import {parseRunbook} from '../../source/runbook/parse.ts';
import {defaultRunbookName, readDefaultRunbook} from '../../source/runbook/default-runbook.ts';

/* The lock-chain drill as the default runbook sees it, without a database:
 * for the tests and benchmarks of what the screen shows. */

export const runbook = parseRunbook(readDefaultRunbook(), defaultRunbookName);
export const t0 = Date.parse('2026-11-29T03:00:00Z');
export const at = (s: number) => new Date(t0 + s * 1000).toISOString();

/** The lock-chain drill as the default runbook sees it, up to the timeouts step. */
export function lockChain(): RunState {
	const target = {host: '127.0.0.1', port: 5432, database: 'denokv', user: 'oncall', serverVersion: '18.4'};
	const events: RunEvent[] = [
		{type: 'run-started', at: at(0), tool: {name: 'pg500', version: 't'}, target, runbookPath: defaultRunbookName},
		{type: 'step-started', at: at(1), stepId: 'server-logs'},
		{type: 'step-finished', at: at(2), stepId: 'server-logs', durationMs: 9, outcome: {rows: [{class: 'pool-timeout', cause: 'pool-exhaustion', count: '12', last_seen: at(0), per_minute: 3, example: 'atomic_write failed: Database error: db error: ERROR: canceling statement due to lock timeout — pid 904512 waits'}], rowCount: 1}},
		{type: 'step-started', at: at(3), stepId: 'locks'},
		{
			type: 'step-finished',
			at: at(4),
			stepId: 'locks',
			durationMs: 12,
			outcome: {
				// The summary, the root blocker, the writers it holds up (as the runbook's locks query returns them).
				rows: [
					{kind: 'summary', pid: null, waits_for: null, blocks: '6', wait_s: '26.0', waiting_long: '6', data_version_waiters: '6', state: null, xact_s: null, idle_s: null, role: null, app: '-', query: null, deadlocks: '0'},
					{kind: 'root', pid: 904512, waits_for: null, blocks: '6', wait_s: '26.0', waiting_long: '6', data_version_waiters: '6', state: 'idle in transaction', xact_s: '31', idle_s: '26', role: 'denokv', app: '注文サービス', query: 'UPDATE data_version SET version = version + 1 WHERE k = 0 RETURNING version', deadlocks: null},
					...[1, 2, 3, 4, 5, 6].map(i => ({kind: 'waiter', pid: 904512 + i, waits_for: '904512', blocks: null, wait_s: String(27 - i), waiting_long: null, data_version_waiters: null, state: 'active', xact_s: null, idle_s: null, role: 'denokv', app: 'denokv', query: 'UPDATE data_version SET version = version + 1 WHERE k = 0 RETURNING version', deadlocks: null})),
				],
				rowCount: 8,
			},
		},
		{type: 'step-started', at: at(5), stepId: 'timeouts'},
		{
			type: 'step-finished',
			at: at(6),
			stepId: 'timeouts',
			durationMs: 8,
			outcome: {
				rows: [
					{role: 'denokv', statement_timeout: '200ms', statement_timeout_from: 'database denokv', lock_timeout: '0', idle_in_tx_timeout: '0', idle_in_tx_timeout_from: 'server', idle_session_timeout: '0', read_only: 'off'},
					{role: 'oncall', statement_timeout: '0', statement_timeout_from: 'server', lock_timeout: '0', idle_in_tx_timeout: '0', idle_in_tx_timeout_from: 'server', idle_session_timeout: '0', read_only: 'off'},
				],
				rowCount: 2,
			},
		},
	];
	return events.reduce(reduce, initialState(runbook));
}


/** The same, on to the fix with its lock tree: one root, six writers queued behind it. */
export function lockChainWithFix(): RunState {
	const root = 904512;
	const query = 'UPDATE data_version SET version = version + 1 WHERE k = 0 RETURNING version';
	// As the fix's lock-tree query returns them: the root first, then the longest waits; each waits for the first it names.
	const tree = [
		{pid: root, waits_for: null, by: 'denokv/denokv', state: 'idle in transaction', waiting_s: null, xact_s: '31', blocked_by: '', query},
		...[1, 2, 3, 4, 5, 6].map(i => ({pid: root + i, waits_for: root + (i === 1 ? 0 : 1), by: 'denokv/denokv', state: 'active', waiting_s: `${31 - i}.0`, xact_s: String(31 - i), blocked_by: Array.from({length: i}, (_, j) => root + j).join(' '), query})),
	];
	const events: RunEvent[] = [
		{type: 'fix-chosen', at: at(10), fixId: 'fix-deadlocks', by: 'operator'},
		{type: 'step-started', at: at(11), stepId: 'fix-deadlocks/lock-tree'},
		{type: 'step-finished', at: at(12), stepId: 'fix-deadlocks/lock-tree', durationMs: 20, outcome: {rows: tree, rowCount: tree.length}},
		{type: 'step-started', at: at(13), stepId: 'fix-deadlocks/deadlock-counter'},
		{type: 'step-finished', at: at(14), stepId: 'fix-deadlocks/deadlock-counter', durationMs: 9, outcome: {rows: ['postgres', 'denokv', 'template1'].map(database => ({database, deadlocks: '0', conflicts: '0', stats_reset: null})), rowCount: 3}},
	];
	return events.reduce(reduce, lockChain());
}


