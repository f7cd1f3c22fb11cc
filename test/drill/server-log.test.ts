import {test} from 'node:test';
import assert from 'node:assert/strict';
import {failedWrites, formatLine, renderLog, spread} from '../../source/drill/server-log.ts';
import {scenarios} from '../../source/drill/scenarios.ts';

const now = new Date('2026-03-01T12:00:00.000Z');

test('a line has the tracing format: time, padded level, target, message', () => {
	assert.equal(formatLine(now, 'WARN', 'deadpool.postgres', 'Connection closed'), '2026-03-01T12:00:00.000417Z  WARN deadpool.postgres: Connection closed');
});

test('moments are spread over the window, oldest first; growing ones crowd the recent minutes', () => {
	const even = spread(10, 10);
	assert.equal(even.length, 10);
	assert.ok(even.every((m, i) => i === 0 || m < even[i - 1]!), 'decreasing minutes ago');
	assert.ok(even.every(m => m > 0 && m < 10));
	const growing = spread(10, 10, true);
	const recent = (xs: number[]) => xs.filter(m => m < 5).length;
	assert.ok(recent(growing) > recent(even), `${recent(growing)} of 10 in the last 5 minutes`);
});

test('the log is in time order and ends at or before now', () => {
	const text = renderLog([{minutesAgo: 1, level: 'INFO', target: 't', message: 'late'}, ...failedWrites([5], 'db error: ERROR: deadlock detected')], now);
	const lines = text.trimEnd().split('\n');
	assert.deepEqual(
		lines.map(l => l.slice(0, 19)),
		['2026-03-01T11:55:00', '2026-03-01T11:55:00', '2026-03-01T11:59:00'],
	);
	assert.match(lines[0]!, /ERROR denokv: atomic_write failed: Database error: db error: ERROR: deadlock detected$/);
	assert.match(lines[1]!, /ERROR denokv: Database error: Database error: db error: ERROR: deadlock detected$/);
	assert.ok(text.endsWith('\n'));
});

test("each fault's log carries the facts file's lines", () => {
	const log = (id: string) => renderLog(scenarios.find(s => s.id === id)!.serverLog(), now);
	assert.match(log('deadlock'), /deadlock detected/);
	assert.match(log('timeouts'), /canceling statement due to statement timeout/);
	assert.match(log('server-down'), /Connection refused \(os error 111\)/);
	assert.match(log('enqueue-bug'), /and the Postgres type `_bytea`/);
	assert.match(log('schema-drift'), /relation "queue_running" does not exist/);
	assert.doesNotMatch(log('healthy'), /ERROR|WARN/);
});
