import {test} from 'node:test';
import assert from 'node:assert/strict';
import {appendFileSync, mkdtempSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {RunEvent, WatchSample} from '../../source/engine/types.ts';
import {openJournal} from '../../source/journal/write.ts';
import {readJournal} from '../../source/journal/read.ts';
import {replayJournal} from '../../source/journal/replay.ts';
import {renderReport} from '../../source/report/render.ts';
import {buildJsonReport} from '../../source/report/json.ts';
import {loadRunbook} from '../../source/runbook/load.ts';
import {at, poolExhaustionEvents, replay, runbookPath, smallRunbookText, target} from '../report/fixtures.ts';
import {schemaProblems} from '../report/schema.ts';

/* The watched series before and after: journaled, replayed, and carried by
 * every report format — min/max/last in Markdown, a chart per figure in
 * HTML with the moment the fix was chosen marked on it. */

function sample(seconds: number, figures: Partial<WatchSample>): RunEvent {
	return {
		type: 'watch-sampled',
		at: at(seconds),
		slots_used: 40,
		slots_usable: 97,
		idle_in_tx: 0,
		idle_in_tx_long: 0,
		oldest_idle_in_tx_s: 0,
		lock_waiters: 0,
		oldest_lock_wait_s: 0,
		deadlocks: 0,
		commits_per_s: 200,
		rollbacks_per_s: 0,
		server_log_errors_per_min: null,
		...figures,
	};
}

/** The pool-exhaustion run, watched before the fix (the leak growing) and after it (gone), closed in between. */
function watchedEvents(): RunEvent[] {
	const events = poolExhaustionEvents();
	const fixAt = events.findIndex(e => e.type === 'fix-chosen');
	const before: RunEvent[] = [
		{type: 'watch-started', at: at(32), intervalSeconds: 2},
		sample(32, {idle_in_tx: 3, idle_in_tx_long: 3, oldest_idle_in_tx_s: 12, commits_per_s: null, rollbacks_per_s: null, deadlocks: null}),
		sample(34, {idle_in_tx: 5, idle_in_tx_long: 5, oldest_idle_in_tx_s: 14, slots_used: 60}),
		sample(36, {idle_in_tx: 9, idle_in_tx_long: 6, oldest_idle_in_tx_s: 16, slots_used: 93, commits_per_s: 20}),
		sample(44, {idle_in_tx: 12, idle_in_tx_long: 9, oldest_idle_in_tx_s: 24, slots_used: 96, commits_per_s: 2}),
	];
	const after: RunEvent[] = [
		sample(46, {idle_in_tx: 0, slots_used: 30, commits_per_s: 190}),
		{type: 'watch-stopped', at: at(47)},
		{type: 'watch-started', at: at(48), intervalSeconds: 2},
		sample(48, {idle_in_tx: 1, slots_used: 31, commits_per_s: 205}),
		sample(50, {idle_in_tx: 0, slots_used: 30, commits_per_s: 210}),
		{type: 'watch-stopped', at: at(50.5)},
	];
	return [...events.slice(0, fixAt), ...before, events[fixAt]!, ...after, ...events.slice(fixAt + 1)];
}

test('samples are in the state, not in the report\'s timeline; opening and closing are; the fix chosen is a moment', () => {
	const state = replay(watchedEvents());
	assert.equal(state.watch?.samples.length, 7);
	assert.deepEqual(
		state.watch?.spans.map(s => [s.startedAt, s.stoppedAt]),
		[
			[at(32), at(47)],
			[at(48), at(50.5)],
		],
	);
	assert.deepEqual(state.watch?.moments, [{at: at(45), label: 'fix chosen: fix-pool'}]);
	const lines = buildJsonReport(state).timeline.map(t => t.event);
	assert.equal(lines.filter(l => l.startsWith('watch opened (a sample every 2 s)')).length, 2);
	assert.equal(lines.filter(l => l.startsWith('watch closed')).length, 2);
	assert.equal(lines.length, buildJsonReport(replay(poolExhaustionEvents())).timeline.length + 4);
});

test('journaled and replayed: the same series and the same reports; a crafted figure reads 0, never text', () => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pg500-watch-journal-'));
	const journal = openJournal({dir, runbookPath, runbookText: smallRunbookText, target, options: {}, startedAt: at(0)});
	for (const event of watchedEvents()) journal.append(event);
	journal.close();
	const replayed = replayJournal(readJournal(journal.path));
	const live = replay(watchedEvents());
	for (const format of ['json', 'markdown', 'html'] as const) assert.equal(renderReport(replayed, format), renderReport(live, format), format);

	appendFileSync(journal.path, `${JSON.stringify({...sample(60, {}), idle_in_tx: '<script>9</script>', deadlocks: {$gt: 1}, extra: 'x'})}\n`);
	const crafted = replayJournal(readJournal(journal.path)).watch!.samples.at(-1)!;
	assert.equal(crafted.idle_in_tx, 0);
	assert.equal(crafted.deadlocks, null);
	assert.equal('extra' in crafted, false);
});

test('JSON: the series with its spans, moments and thresholds, valid against the schema; null when nothing was watched', () => {
	const report = JSON.parse(renderReport(replay(watchedEvents()), 'json'));
	assert.deepEqual(schemaProblems(report), []);
	assert.equal(report.watch.samples.length, 7);
	const {type: _type, ...first} = sample(32, {idle_in_tx: 3, idle_in_tx_long: 3, oldest_idle_in_tx_s: 12, commits_per_s: null, rollbacks_per_s: null, deadlocks: null}) as RunEvent & WatchSample;
	assert.deepEqual(report.watch.samples[0], first);
	assert.deepEqual(report.watch.spans[1], {startedAt: at(48), stoppedAt: at(50.5), intervalSeconds: 2, stopReason: null});
	assert.deepEqual(report.watch.thresholds, {slots_warning_pct: 80, slots_critical_pct: 95});
	const plain = JSON.parse(renderReport(replay(poolExhaustionEvents()), 'json'));
	assert.equal(plain.watch, null);
	assert.deepEqual(schemaProblems(plain), []);
	assert.ok(schemaProblems({...report, watch: {...report.watch, samples: [{...report.watch.samples[0], idle_in_tx: 'many'}]}}).length > 0);
});

test('Markdown: each figure with min, max and last, a sparkline, the moment marked; judged by the runbook', async () => {
	const state = replay(watchedEvents(), {...replay([]).runbook, thresholds: (await loadRunbook()).thresholds});
	const md = renderReport(state, 'markdown');
	const section = md.slice(md.indexOf('## Watched figures'));
	assert.match(section, /Watched 2 times from 2024-05-01 03:00:32 UTC to 2024-05-01 03:00:50 UTC: 7 samples, one every 2 s\./);
	assert.match(section, /- 2024-05-01 03:00:45 UTC: fix chosen: fix-pool/);
	const row = (label: string) => section.split('\n').find(l => l.includes(`| ${label} |`));
	// Last: back to normal after the fix (✔). Max: the leak at its worst, critical then (✖).
	assert.match(row('idle in transaction')!, /^\| ✔ \| idle in transaction \| 0 \| 12 ✖ \| 0 \| `[▁-█ ]{7}` \|$/);
	assert.match(row('client slots used')!, /\| 30 \| 96 ✖ \| 30 \|/);
	assert.match(row('commits')!, /\| commits \| 2\/s \| 210\/s \| 210\/s \|/, 'not judged: no symbol');
	assert.equal(row('denokv log errors'), undefined, 'no log followed: no such figure');
});

test('HTML: a chart per figure, the fix chosen marked at its moment, thresholds dashed, abnormal samples dotted', async () => {
	const state = replay(watchedEvents(), {...replay([]).runbook, thresholds: (await loadRunbook()).thresholds});
	const html = renderReport(state, 'html');
	const section = html.slice(html.indexOf('<h2>Watched figures</h2>'));
	assert.equal(section.match(/<svg class="series"/g)?.length, 8);
	const idle = section.slice(section.indexOf('idle in transaction <span'), section.indexOf('oldest idle in transaction'));
	assert.match(idle, /<g class="moment"><line x1="([\d.]+)"[^>]*\/><text[^>]*>fix chosen: fix-pool<\/text>/);
	// The moment sits between the last sample before it and the first after, in time.
	const x = Number(/<g class="moment"><line x1="([\d.]+)"/.exec(idle)![1]);
	assert.ok(x > (640 * (44 - 32)) / (50 - 32) && x < (640 * (46 - 32)) / (50 - 32), String(x));
	// Two runs (the view was closed in between): the line breaks there.
	assert.equal((/<path class="line" d="([^"]*)"/.exec(idle)![1]!.match(/M/g) ?? []).length, 2);
	const slots = section.slice(section.indexOf('client slots used'), section.indexOf('idle in transaction <span'));
	assert.match(slots, /class="limit warning"/);
	assert.match(slots, /class="limit critical"/);
	assert.match(slots, /<circle class="critical"/, '96 of 97 slots is critical');
	assert.match(html, /Content-Security-Policy/);
	assert.doesNotMatch(section, /<script/);
});
