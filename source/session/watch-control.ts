import type {Executor} from '../checks/executor.ts';
import type {RunState} from '../engine/types.ts';
import {WatchSampler} from '../watch/sampler.ts';
import type {SessionStore} from './store.ts';

/* The guided session's live watch (`w`): while it is open, a sample at once
 * and then one every interval on the session's one connection (the safe
 * session runs its transactions one at a time, so a sample waits for a
 * check and a check for a sample); every sample journaled; while it is
 * closed, nothing is sampled at all. */

export const defaultWatchIntervalSeconds = 2;

export interface WatchControl {
	/** Whether this session can watch (a live target); a replayed one cannot. */
	readonly available: boolean;
	/** Opens the watch; the reason when it cannot. A watch already open stays as it is. */
	start(intervalSeconds?: number): Promise<string | undefined>;
	/** Closes it: sampling stops; a sample in flight is not kept. */
	stop(): Promise<void>;
	/** One sample now (the watch's timer calls it). */
	sample(): Promise<void>;
	/** The session is over: sampling stops (journaled while the journal is open), no timer, no more events. */
	close(): void;
}

interface Open {
	sampler: WatchSampler;
	intervalMs: number;
	startedAt: number;
	timer?: NodeJS.Timeout;
	tick: number;
	busy: boolean;
}

const now = () => new Date().toISOString();

export function createWatchControl(store: SessionStore, executor: Executor): WatchControl {
	const run = (): RunState => store.getState().run;
	let open: Open | undefined;
	let closed = false;
	/** The operator's last word: opened (a start under way may still be opening the log) or closed. */
	let wanted = false;
	const available = Boolean(executor.readWatch);

	const schedule = (watch: Open) => {
		// On a fixed grid of ticks: a slow sample does not push the ones after it.
		watch.tick = Math.max(watch.tick + 1, Math.ceil((performance.now() - watch.startedAt) / watch.intervalMs));
		watch.timer = setTimeout(() => void control.sample(), Math.max(0, watch.startedAt + watch.tick * watch.intervalMs - performance.now()));
		watch.timer.unref();
	};

	const status = (text: string, severity: 'info' | 'warning' | 'critical') => {
		const live = store.getState().watch;
		if (live) store.setWatch({...live, status: {text: `${now().slice(11, 19)} UTC ${text}`, severity}});
	};

	/** Sampling stops: the timer, the followed log; the journal says when (and why, when it was not the operator). */
	const end = async (reason?: string) => {
		const watch = open;
		if (!watch) return;
		open = undefined;
		clearTimeout(watch.timer);
		if (!closed) store.dispatch({type: 'watch-stopped', at: now(), ...(reason ? {reason} : {})});
		await watch.sampler.close();
	};

	const control: WatchControl = {
		available,

		async start(intervalSeconds = defaultWatchIntervalSeconds) {
			if (!available) return 'this session has no live target to watch';
			if (wanted || open || closed) return undefined;
			wanted = true;
			const serverLog = executor.followableServerLog?.();
			let sampler: WatchSampler;
			let logProblem: string | undefined;
			const read = () => executor.readWatch!(run().runbook.thresholds);
			try {
				sampler = await WatchSampler.open({read, serverLog});
			} catch (error) {
				// The figures from the database still tell most of the story.
				logProblem = `the server log is not followed: ${(error as Error).message ?? String(error)}`;
				sampler = await WatchSampler.open({read});
			}
			// Closed again while the log was being opened: nothing was sampled, nothing is.
			if (!wanted || open || closed) {
				await sampler.close();
				return undefined;
			}
			open = {sampler, intervalMs: intervalSeconds * 1000, startedAt: performance.now(), tick: 0, busy: false};
			store.dispatch({type: 'watch-started', at: now(), intervalSeconds});
			store.setWatch({
				intervalSeconds,
				since: run().watch?.samples.length ?? 0,
				followedLog: sampler.followedLog,
				...(logProblem ? {status: {text: logProblem, severity: 'warning' as const}} : {}),
			});
			await control.sample();
			return undefined;
		},

		async stop() {
			wanted = false;
			store.setWatch(undefined);
			await end();
		},

		async sample() {
			const watch = open;
			if (!watch || watch.busy) return;
			clearTimeout(watch.timer);
			watch.busy = true;
			let result;
			try {
				result = await watch.sampler.sample();
			} finally {
				watch.busy = false;
			}
			// Closed while the query ran: the watch is paused, and keeps nothing from after it.
			if (open !== watch) return;
			if (result.kind === 'sample') {
				store.dispatch({type: 'watch-sampled', ...result.sample});
				// A watch opened before any step ran is how the session first learns the server's version.
				const version = executor.serverVersion();
				if (version && version !== run().target?.serverVersion) store.dispatch({type: 'target-identified', at: now(), serverVersion: version});
				if (watch.sampler.hidden && !store.getState().watch?.status) status(watch.sampler.hidden, 'warning');
			} else {
				status(result.message, result.ends ? 'critical' : 'warning');
				if (result.ends) {
					// The view stays, saying why, until the operator closes it.
					const live = store.getState().watch;
					if (live) store.setWatch({...live, ended: true});
					await end(result.message);
					return;
				}
			}
			schedule(watch);
		},

		close() {
			wanted = false;
			void end();
			closed = true;
			store.setWatch(undefined);
		},
	};
	return control;
}
