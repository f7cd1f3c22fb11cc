import {readFileSync} from 'node:fs';
import type {Executor} from '../checks/executor.ts';
import {now} from '../checks/drive.ts';
import {createExecutor} from '../session/create-executor.ts';
import {initialState, reduce} from '../engine/reducer.ts';
import type {RunState} from '../engine/types.ts';
import type {QuizHook} from '../drill/quiz.ts';
import {openJournal, type JournalWriter} from '../journal/write.ts';
import {renderReport} from '../report/render.ts';
import {writeFileAtomic} from '../report/write-file-atomic.ts';
import {readDefaultRunbook} from '../runbook/default-runbook.ts';
import {loadRunbook} from '../runbook/load.ts';
import {toolVersion} from '../version.ts';
import type {ReportOptions, TargetOptions} from '../session/options.ts';
import {UsageError} from '../errors.ts';

export type GuidedOptions = TargetOptions & ReportOptions & {journal?: string; postgresUrl?: string};

const extensions: Record<ReportOptions['format'], string> = {markdown: '.md', json: '.json', html: '.html'};

/** Where `e` (and an interrupted session) writes the report: --output, else beside the journal. */
export function reportPath(report: Pick<ReportOptions, 'format' | 'output'>, journalPath: string): string {
	return report.output ?? journalPath.replace(/\.jsonl$/, '') + extensions[report.format];
}

export function reportExporter(report: ReportOptions, journalPath: string) {
	return async (state: RunState) => {
		const path = reportPath(report, journalPath);
		writeFileAtomic(path, renderReport(state, report.format, {redactLiterals: report.redactLiterals ?? false}));
		return {path, format: report.format};
	};
}

/** Hands a session to the TUI; Ink and React are loaded only here, never by `run`, `validate` or `report`. */
export async function openGuide(session: {state: RunState; executor: Executor; journal: JournalWriter; report: ReportOptions; color: boolean; unsavedNotes?: boolean; quiz?: QuizHook}): Promise<number> {
	const {launchGuide} = await import('../ui/launch.tsx');
	return launchGuide({...session, exportReport: reportExporter(session.report, session.journal.path)});
}

/** A guided session needs a terminal both ways: keys in, screen out. */
export function interactive(): boolean {
	return Boolean(process.stdout.isTTY && process.stdin.isTTY);
}

/** `pg500`: the guided runbook. Not on a terminal (piped, cron, CI) it is exactly `pg500 run`. */
export async function guided(options: GuidedOptions & {quiz?: QuizHook}): Promise<number> {
	if (!interactive()) {
		const {run} = await import('./run.ts');
		return run(options);
	}
	const runbook = await loadRunbook(options.runbook);
	// The journal keeps the runbook's text, so a resume works even after the file changed.
	const runbookText = options.runbook === undefined ? readDefaultRunbook() : readFileSync(options.runbook, 'utf8');
	const executor = createExecutor(options);
	let journal: JournalWriter;
	try {
		// The quiz's judge is code, not an option: it stays out of the journal (and so does the drill it hides).
		const {quiz: _quiz, ...saved} = options;
		journal = openJournal({path: options.journal, runbookPath: runbook.path, runbookText, target: executor.target, options: {...saved}});
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'EEXIST') throw new UsageError(`--journal ${options.journal} already exists; pg500 resume ${options.journal} continues that session`);
		if (code === 'EACCES' || code === 'ENOENT') throw new UsageError(`cannot create the journal: ${(error as Error).message}`);
		throw error;
	}
	const started = {type: 'run-started', at: now(), tool: {name: 'pg500', version: toolVersion}, target: executor.target, runbookPath: runbook.path} as const;
	journal.append(started);
	const state = reduce(initialState(runbook), started);
	return openGuide({state, executor, journal, report: options, color: options.color, quiz: options.quiz});
}
