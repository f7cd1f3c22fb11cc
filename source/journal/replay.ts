import type {RunEvent, RunState} from '../engine/types.ts';
import {initialState, reduce} from '../engine/reducer.ts';
import {parseRunbook} from '../runbook/parse.ts';
import {RunbookError} from '../runbook/runbook-error.ts';
import {prebuiltIfDefault} from '../runbook/default-runbook.ts';
import {JournalError, type Journal} from './header.ts';
import {toolVersion} from '../version.ts';

/** Rebuilds the run state from a journal: the runbook as it was when the session started, then every event. */
export function replayJournal(journal: Journal): RunState {
	let runbook;
	try {
		const {runbookText, runbookPath} = journal.header;
		runbook = prebuiltIfDefault(runbookText, runbookPath) ?? parseRunbook(runbookText, runbookPath);
	} catch (error) {
		if (!(error instanceof RunbookError)) throw error;
		throw new JournalError(`${journal.path}: the runbook recorded in the journal is not valid for this pg500: ${error.problems[0]?.message ?? error.message}`);
	}
	return journal.events.reduce(reduce, initialState(runbook));
}

/**
 * The step that was running when the session stopped (its result never
 * arrived), or undefined. `resume` runs it again first — starting it again
 * resets it — then carries on with nextMove().
 */
export function interruptedStep(state: RunState): string | undefined {
	return Object.values(state.steps).find(s => s.status === 'running')?.id;
}

/**
 * What `pg500 resume` journals first: how long the session was away, how it
 * had ended ("cut off" when its journal just stops), and who goes on with it
 * now, where, with which pg500 — perhaps another person on another host.
 */
export function resumedEvent(journal: Journal, state: RunState, operator: string, now = new Date()): RunEvent {
	const lastAt = Date.parse(journal.events.at(-1)?.at ?? journal.header.startedAt);
	const ended = state.sessions.at(-1)?.endedBy;
	return {
		type: 'session-resumed',
		at: now.toISOString(),
		gapMs: Number.isNaN(lastAt) ? 0 : Math.max(0, now.getTime() - lastAt),
		after: ended ?? 'cut off',
		operator,
		tool: {name: 'pg500', version: toolVersion},
	};
}
