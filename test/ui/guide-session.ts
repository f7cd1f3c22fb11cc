import {createExecutor} from '../../source/session/create-executor.ts';
import {initialState, reduce} from '../../source/engine/reducer.ts';
import type {RunEvent, RunState} from '../../source/engine/types.ts';
import {openJournal, type JournalWriter} from '../../source/journal/write.ts';
import {parseRunbook} from '../../source/runbook/parse.ts';
import type {Runbook} from '../../source/runbook/schema.ts';
import {createRunStore} from '../../source/ui/run-store.ts';

/**
 * What `pg500` sets up before it draws, against a real database: the runbook,
 * the safe session, a journal that starts with run-started (unless a state is
 * given, as on resume), and the store the screen reads.
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
	let state = spec.state?.(runbook);
	if (!state) {
		const started: RunEvent = {type: 'run-started', at: new Date().toISOString(), tool: {name: 'pg500', version: 'test'}, target: executor.target, runbookPath: runbook.path};
		journal.append(started);
		state = reduce(initialState(runbook), started);
	}
	const store = createRunStore(state, journal, error => {
		throw error;
	});
	return {runbook, executor, journal, store};
}
