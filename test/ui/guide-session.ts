import {guidedSession} from '../../source/commands/open-guide.ts';
import {initialState} from '../../source/engine/reducer.ts';
import type {RunState} from '../../source/engine/types.ts';
import {openJournal, type JournalWriter} from '../../source/journal/write.ts';
import {parseRunbook} from '../../source/runbook/parse.ts';
import type {Runbook} from '../../source/runbook/schema.ts';
import {createExecutor} from '../../source/session/create-executor.ts';

/**
 * What `pg500` sets up before it draws, against a real database: the runbook,
 * the safe session, a journal, and the session controller the screen drives —
 * started afresh, or on a given state as `pg500 resume` does (the step that
 * was cut off runs again).
 */
export function guideSession(spec: {
	runbookText: string;
	name: string;
	url: string;
	dir: string;
	statementTimeout?: number;
	color?: boolean;
	journal?: JournalWriter;
	state?: (runbook: Runbook) => RunState;
}) {
	const runbook = parseRunbook(spec.runbookText, spec.name);
	const executor = createExecutor({url: spec.url, statementTimeout: spec.statementTimeout ?? 5000, logTailMb: 64, color: spec.color ?? false}, {});
	const journal = spec.journal ?? openJournal({dir: spec.dir, runbookPath: runbook.path, runbookText: spec.runbookText, target: executor.target, options: {}});
	const resumed = spec.state?.(runbook);
	const session = guidedSession({state: resumed ?? initialState(runbook), executor, journal, report: {format: 'markdown'}});
	if (resumed) void session.rerunInterrupted();
	else session.start();
	return {runbook, executor, journal, session};
}
