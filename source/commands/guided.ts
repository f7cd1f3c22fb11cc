import {createExecutor} from '../session/create-executor.ts';
import {initialState} from '../engine/reducer.ts';
import type {QuizHook} from '../drill/quiz.ts';
import {openJournal, type JournalWriter} from '../journal/write.ts';
import {JournalError} from '../journal/header.ts';
import {writeProblem} from '../files/file-problem.ts';
import {escapeUntrusted} from '../text/escape.ts';
import {readDefaultRunbook} from '../runbook/default-runbook.ts';
import {loadRunbook, readRunbookFile} from '../runbook/load.ts';
import type {ReportOptions, TargetOptions} from '../session/options.ts';
import {UsageError} from '../errors.ts';
import {guidedSession, interactive, openGuide} from './open-guide.ts';

export type GuidedOptions = TargetOptions & ReportOptions & {journal?: string; postgresUrl?: string};

/** `pg500`: the guided runbook. Not on a terminal (piped, cron, CI) it is exactly `pg500 run`. */
export async function guided(options: GuidedOptions & {quiz?: QuizHook; practice?: string}): Promise<number> {
	if (!interactive()) {
		const {run} = await import('./run.ts');
		return run(options);
	}
	const runbook = await loadRunbook(options.runbook);
	// The journal keeps the runbook's text, so a resume works even after the file changed.
	const runbookText = options.runbook === undefined ? readDefaultRunbook() : readRunbookFile(options.runbook);
	const executor = createExecutor(options);
	let journal: JournalWriter;
	try {
		// The quiz's judge is code, not an option: it stays out of the journal (and so does the drill it hides).
		const {quiz: _quiz, practice: _practice, ...saved} = options;
		journal = openJournal({path: options.journal, runbookPath: runbook.path, runbookText, target: executor.target, options: {...saved}});
	} catch (error) {
		if (error instanceof JournalError) throw error;
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'EEXIST') throw new UsageError(`--journal ${escapeUntrusted(options.journal ?? '')} already exists; pg500 resume ${escapeUntrusted(options.journal ?? '')} continues that session`);
		throw new UsageError(`cannot create the journal: ${writeProblem(error)}`);
	}
	const session = guidedSession({state: initialState(runbook), executor, journal, report: options, quiz: options.quiz, practice: options.practice});
	session.start();
	return openGuide({session, executor, journal, color: options.color});
}
