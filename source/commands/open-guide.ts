import type {Executor} from '../checks/executor.ts';
import type {QuizHook} from '../drill/quiz.ts';
import type {RunState} from '../engine/types.ts';
import type {JournalWriter} from '../journal/write.ts';
import {createSession, type SessionController} from '../session/controller.ts';
import {reportExporter, reportFallbackDir} from '../session/export.ts';
import type {ReportOptions} from '../session/options.ts';

/* What `pg500`, `pg500 demo` and `pg500 resume` share: a session kept in a
 * journal, handed to the TUI. */

/** A guided session needs a terminal both ways: keys in, screen out. */
export function interactive(): boolean {
	return Boolean(process.stdout.isTTY && process.stdin.isTTY);
}

/**
 * The controller of a guided session: every event journaled (a journal that
 * falls behind on a full disk shows in the session's state), `e` writing the
 * report where the options say, else in the temporary directory.
 */
export function guidedSession(spec: {state: RunState; executor: Executor; journal: JournalWriter; report: ReportOptions; quiz?: QuizHook; practice?: string}): SessionController {
	return createSession({
		state: spec.state,
		executor: spec.executor,
		journal: spec.journal,
		onJournalError: error => process.stderr.write(`pg500: cannot write the journal: ${(error as Error).message ?? String(error)}\n`),
		exportReport: reportExporter(spec.report, spec.journal.path),
		reportFallbackDir: reportFallbackDir(),
		quiz: spec.quiz,
		practice: spec.practice,
	});
}

/** Hands a session to the TUI; Ink and React are loaded only here, never by `run`, `validate` or `report`. */
export async function openGuide(guide: {session: SessionController; executor: Executor; journal: JournalWriter; color: boolean}): Promise<number> {
	const {launchGuide} = await import('../ui/launch.tsx');
	return launchGuide(guide);
}
