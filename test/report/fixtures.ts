import {initialState, reduce} from '../../source/engine/reducer.ts';
import type {RunEvent, RunState} from '../../source/engine/types.ts';
import {parseRunbook} from '../../source/runbook/parse.ts';

/* Runs built by dispatching real events through the reducer with a small,
 * real runbook: the states the reporters and the journal are tested on. */

export const secret = 'hunter2-Very-Secret';

export const smallRunbookText = `
id: small-500
title: Small 500 runbook
version: '3'
thresholds: {slots_warning_pct: 80, slots_critical_pct: 95}
steps:
  - id: server-logs
    title: Read the server log
    kind: log
    source: server-log
    why: the server log says what failed
    rules:
      - id: pool-errors
        message: '{count} pool errors ({class}): {sample}'
        critical: {all: [{column: cause, eq: pool-exhaustion}, {column: count, gte: 100}]}
        warning: {all: [{column: cause, eq: pool-exhaustion}, {column: count, gte: 1}]}
  - id: connect
    title: Reach PostgreSQL
    kind: connect
    why: one read-only connection
    rules:
      - id: refused
        message: 'No connection ({failure}): {message}'
        critical: {column: failure, matches: '.'}
  - id: connections
    title: Connections | slots
    kind: sql
    why: are the slots used up
    query: SELECT 1
    columns: [used, usable, used_pct, oldest_idle_in_tx_query]
    rules:
      - id: slots
        per: result
        message: '{used} of {usable} slots in use ({used_pct}%) after: {oldest_idle_in_tx_query}'
        critical: {column: used_pct, gte: $slots_critical_pct}
        warning: {column: used_pct, gte: $slots_warning_pct}
  - id: next-steps
    title: Tell the team
    kind: manual
    why: others need to know
    instructions: [post the report]
causes:
  - id: pool-exhaustion
    title: Connection pool exhaustion
    symptom: requests wait for a slot and fail
    check: slots in use
    fix: fix-pool
    evidence:
      - {finding: server-logs.pool-errors, weight: 0.8}
      - {finding: connections.slots, weight: 0.8}
  - id: connection-failure
    title: Connection failure
    symptom: nothing answers
    check: connect
    fix: fix-connect
    evidence:
      - {finding: connect.refused, weight: 1}
fixes:
  - id: fix-pool
    title: Free the pool
    summary: Terminate leaked sessions and set idle_in_transaction_session_timeout.
    actions: [Find the leak, "Set idle_in_transaction_session_timeout = '60s'"]
    commands:
      - title: Terminate the oldest leak
        run: "psql -c 'SELECT pg_terminate_backend(pid)' # \`careful\`"
    queries:
      - id: leaked-sessions
        title: Sessions idle in transaction
        why: who leaks
        query: SELECT 2
        rules:
          - id: old-leak
            message: 'pid {pid} idle in transaction'
            warning: {column: pid, gt: 0}
  - id: fix-connect
    title: Restore the connection
    summary: Start PostgreSQL or fix the URL.
    actions: [Check pg_isready]
`;

export const runbookPath = 'runbooks/small-500.yaml';
export const smallRunbook = () => parseRunbook(smallRunbookText, runbookPath);

/** 2024-05-01 03:00:00 UTC plus `seconds`. */
export const at = (seconds: number) => new Date(Date.UTC(2024, 4, 1, 3, 0, 0) + seconds * 1000).toISOString();

export const target = {host: 'db.internal', port: 5432, database: 'denokv', user: 'app', serverVersion: null};

export const leakQuery = "UPDATE kv SET v = 'card-4111-1111' WHERE k = 4242 AND n > 3.5";

/** A whole run: pool exhaustion found, fix chosen by the operator, its follow-up run, a report exported. */
export function poolExhaustionEvents(): RunEvent[] {
	return [
		{type: 'run-started', at: at(0), tool: {name: 'pg500', version: '1.2.3'}, target, runbookPath},
		{type: 'step-started', at: at(1), stepId: 'server-logs'},
		{
			type: 'step-finished',
			at: at(2),
			stepId: 'server-logs',
			durationMs: 850,
			outcome: {
				rows: [
					{
						class: 'pool-timeout',
						cause: 'pool-exhaustion',
						count: 240,
						first_seen: at(-600),
						last_seen: at(-5),
						per_minute: 24,
						// A log line that carries the URL with its password: it must never reach a report.
						sample: `Database error: timed out connecting to postgres://app:${secret}@db.internal/denokv | <b>\`x\`</b>`,
						sqlstate: null,
					},
				],
				rowCount: 1,
				histogram: {start: at(-600), bucketSeconds: 60, counts: [0, 1, 3, 0, 12, 40, 80, 60, 30, 14]},
			},
		},
		{type: 'step-started', at: at(3), stepId: 'connect'},
		{
			type: 'step-finished',
			at: at(4),
			stepId: 'connect',
			durationMs: 40,
			outcome: {rows: [{server_version: '16.4', server_version_num: 160004, current_user: 'app', superuser: false}], rowCount: 1},
		},
		{type: 'target-identified', at: at(4), serverVersion: '16.4'},
		{type: 'step-started', at: at(5), stepId: 'connections'},
		{
			type: 'step-finished',
			at: at(6),
			stepId: 'connections',
			durationMs: 12,
			outcome: {
				rows: [{used: 97, usable: 97, used_pct: 100, oldest_idle_in_tx_query: leakQuery}],
				rowCount: 1,
				columns: ['used', 'usable', 'used_pct', 'oldest_idle_in_tx_query'],
				query: "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction' AND pid <> 12345",
			},
		},
		{type: 'note-set', at: at(30), stepId: 'connections', text: `restarted worker 3 | see *INC-42* <script>alert(1)</script> password=${secret}`},
		{type: 'step-started', at: at(31), stepId: 'next-steps'},
		{type: 'step-finished', at: at(31), stepId: 'next-steps', durationMs: 0, outcome: {rows: [], rowCount: 0}},
		{type: 'manual-done', at: at(40), stepId: 'next-steps'},
		{type: 'fix-chosen', at: at(45), fixId: 'fix-pool', by: 'operator'},
		{type: 'step-started', at: at(46), stepId: 'fix-pool/leaked-sessions'},
		{
			type: 'step-finished',
			at: at(47),
			stepId: 'fix-pool/leaked-sessions',
			durationMs: 9,
			outcome: {rows: Array.from({length: 60}, (_, i) => ({pid: 1000 + i, query: leakQuery})), rowCount: 60},
		},
		{type: 'report-exported', at: at(50), path: '/tmp/incident-42.md', format: 'markdown'},
		{type: 'run-finished', at: at(51)},
	];
}

export function replay(events: RunEvent[], runbook = smallRunbook()): RunState {
	return events.reduce(reduce, initialState(runbook));
}

/** The same run, cut off while `connections` was running (the SSH link dropped). */
export function interruptedEvents(): RunEvent[] {
	const all = poolExhaustionEvents();
	const cut = all.findIndex(e => e.type === 'step-started' && e.stepId === 'connections');
	return all.slice(0, cut + 1);
}

/** A run that connected, found nothing, and was interrupted before the checks. */
export function quietInterruptedEvents(): RunEvent[] {
	return [
		{type: 'run-started', at: at(0), tool: {name: 'pg500', version: '1.2.3'}, target, runbookPath},
		{type: 'step-started', at: at(1), stepId: 'server-logs'},
		{type: 'step-finished', at: at(2), stepId: 'server-logs', durationMs: 5, outcome: {rows: [], rowCount: 0}},
	];
}

/**
 * The pool-exhaustion run as two people ran it: alice on bastion-1 until her
 * SSH link dropped while `connections` ran, then bob on bastion-2, twenty
 * minutes later, with a newer pg500, who wrote the note and chose the fix.
 */
export function resumedEvents(): RunEvent[] {
	const all = poolExhaustionEvents().map(e => (e.type === 'run-started' ? {...e, operator: 'alice@bastion-1'} : e));
	const cut = all.findIndex(e => e.type === 'step-started' && e.stepId === 'connections') + 1;
	const later = (e: RunEvent): RunEvent => ({...e, at: new Date(Date.parse(e.at) + 20 * 60_000).toISOString()});
	return [
		...all.slice(0, cut),
		{type: 'session-ended', at: at(5.5), how: 'SIGHUP'},
		later({type: 'session-resumed', at: at(5), gapMs: 1_199_500, after: 'SIGHUP', tool: {name: 'pg500', version: '1.2.4'}, operator: 'bob@bastion-2'}),
		later({type: 'step-started', at: at(5), stepId: 'connections'}),
		...all.slice(cut).map(later),
	];
}
