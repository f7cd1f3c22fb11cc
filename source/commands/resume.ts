import {createExecutor} from '../session/create-executor.ts';
import {reduce} from '../engine/reducer.ts';
import type {RunEvent} from '../engine/types.ts';
import {JournalError} from '../journal/header.ts';
import {readJournal} from '../journal/read.ts';
import {replayJournal} from '../journal/replay.ts';
import {listSessions} from '../journal/sessions.ts';
import {journalDir} from '../journal/location.ts';
import {reopenJournal} from '../journal/write.ts';
import type {ReportOptions, TargetOptions} from '../session/options.ts';
import {guidedSession, interactive, openGuide} from './open-guide.ts';

const reportFormats = new Set(['markdown', 'json', 'html']);

/** The report options the session started with, so `e` writes where it wrote before. */
function reportOptionsOf(saved: Record<string, unknown>): ReportOptions {
	const format = typeof saved['format'] === 'string' && reportFormats.has(saved['format']) ? (saved['format'] as ReportOptions['format']) : 'markdown';
	return {
		format,
		output: typeof saved['output'] === 'string' ? saved['output'] : undefined,
		redactLiterals: saved['redactLiterals'] === true,
	};
}

/**
 * `pg500 resume [JOURNAL]`: replays the journal and reopens the session where
 * it stopped — finished steps, notes and the chosen fix intact; a step that
 * was running when the link dropped runs again — appending to the same journal.
 */
export async function resume(journalPath: string | undefined, options: TargetOptions & {postgresUrl?: string}): Promise<number> {
	if (!interactive()) {
		process.stderr.write('pg500: resume needs a terminal (it continues an interactive session); use pg500 report JOURNAL for a report\n');
		return 3;
	}
	let file = journalPath;
	if (file === undefined) {
		const sessions = listSessions().filter(s => !s.problem);
		if (sessions.length === 0) {
			process.stderr.write(`pg500: no sessions to resume in ${journalDir()}\n`);
			return 3;
		}
		const {pickSession} = await import('../ui/session-picker.tsx');
		file = await pickSession(sessions);
		if (file === undefined) return 3;
	}
	let journal;
	let state;
	try {
		journal = readJournal(file);
		state = replayJournal(journal);
	} catch (error) {
		if (!(error instanceof JournalError)) throw error;
		process.stderr.write(`pg500: ${error.message}\n`);
		return 3;
	}
	const saved = journal.header.options;
	// The journal never holds a password: --url given now wins, else the saved URL (password from ~/.pgpass or PGPASSWORD).
	const savedUrl = typeof saved['url'] === 'string' ? saved['url'] : undefined;
	const executor = createExecutor({...options, url: options.url ?? options.postgresUrl ?? savedUrl, postgresUrl: undefined});
	const writer = reopenJournal(file);
	// The timeline says how long the session was away, and how it had ended; results from before are marked stale.
	const lastAt = Date.parse(journal.events.at(-1)?.at ?? journal.header.startedAt);
	const resumed: RunEvent = {type: 'session-resumed', at: new Date().toISOString(), gapMs: Number.isNaN(lastAt) ? 0 : Math.max(0, Date.now() - lastAt), after: state.endedBy ?? 'cut off'};
	writer.append(resumed, {flush: true});
	const session = guidedSession({state: reduce(state, resumed), executor, journal: writer, report: reportOptionsOf(saved)});
	// A step cut off when the session stopped runs again first; the screen follows it.
	void session.rerunInterrupted();
	return openGuide({session, executor, journal: writer, color: options.color});
}
