import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {startEmbeddedPostgres, type EmbeddedServer} from '../../source/drill/embedded.ts';
import {prepareScenario, type PreparedScenario} from '../../source/drill/drill.ts';
import {findScenario} from '../../source/drill/scenarios.ts';
import type {WatchSample} from '../../source/engine/types.ts';
import {loadRunbook} from '../../source/runbook/load.ts';
import {createExecutor} from '../../source/session/create-executor.ts';
import {WatchSampler} from '../../source/watch/sampler.ts';

/* The drills whose fault evolves move in the watch: the leak keeps adding
 * sessions idle in transaction, the deadlock drill keeps deadlocking — each
 * on top of the drill's healthy write load, whose figures are not zero. */

let server: EmbeddedServer;
before(async () => {
	server = await startEmbeddedPostgres();
});
after(() => server?.dispose());

async function prepare(id: string): Promise<PreparedScenario> {
	const database = `watch_${id.replaceAll('-', '_')}`;
	return prepareScenario(server, findScenario(id)!, {database, logName: `${database}.log`});
}

/** Samples every `ms` as the on-call role sees them, until `enough` says so or `max` samples. */
async function watchDrill(drill: PreparedScenario, ms: number, max: number, enough: (samples: WatchSample[]) => boolean): Promise<WatchSample[]> {
	const executor = createExecutor({url: drill.targetUrl, statementTimeout: 5000, logTailMb: 64, color: false}, {});
	const {thresholds} = await loadRunbook();
	const sampler = await WatchSampler.open({read: () => executor.readWatch!(thresholds), serverLog: drill.serverLogPath});
	const samples: WatchSample[] = [];
	try {
		while (samples.length < max && !enough(samples)) {
			const result = await sampler.sample();
			assert.equal(result.kind, 'sample', JSON.stringify(result));
			if (result.kind === 'sample') samples.push(result.sample);
			await new Promise(resolve => setTimeout(resolve, ms));
		}
	} finally {
		await sampler.close();
		await executor.close();
	}
	return samples;
}

test('connection-leak: the sessions idle in transaction keep rising across samples, the write load committing beside them', async () => {
	const drill = await prepare('connection-leak');
	try {
		const rose = (s: WatchSample[]) => s.length > 1 && s.at(-1)!.idle_in_tx_long > s[0]!.idle_in_tx_long;
		const samples = await watchDrill(drill, 1000, 30, rose);
		assert.ok(rose(samples), samples.map(s => s.idle_in_tx_long).join(' '));
		const [first, last] = [samples[0]!, samples.at(-1)!];
		// Old leaks only: the load's own moments between two statements are never 10 s old.
		assert.ok(first.idle_in_tx_long >= 5);
		assert.ok(last.idle_in_tx >= last.idle_in_tx_long);
		assert.ok(last.oldest_idle_in_tx_s > first.oldest_idle_in_tx_s);
		assert.ok(samples.slice(1).every(s => s.commits_per_s! > 0), 'the healthy load commits throughout');
		assert.equal(last.server_log_errors_per_min, 0, 'a leak hangs requests: the log stays quiet');
	} finally {
		await drill.release();
	}
});

test('deadlock: new deadlocks keep appearing between samples', async () => {
	const drill = await prepare('deadlock');
	try {
		// Two samples apart, each with deadlocks new since the one before: it keeps deadlocking.
		const deadlocking = (s: WatchSample[]) => s.filter(x => (x.deadlocks ?? 0) > 0).length;
		const samples = await watchDrill(drill, 1000, 15, s => deadlocking(s) >= 2);
		assert.ok(deadlocking(samples) >= 2, samples.map(s => s.deadlocks).join(' '));
		assert.equal(samples[0]!.deadlocks, null, 'the first reading is the baseline');
		// Each deadlock ends one transaction in a rollback: the application's rollbacks move too.
		assert.ok(samples.some(s => s.rollbacks_per_s! > 0));
	} finally {
		await drill.release();
	}
});
