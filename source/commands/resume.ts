import {createExecutor} from '../checks/create-executor.ts';
import {now} from '../checks/drive.ts';
import {reduce} from '../engine/reducer.ts';
import type {RunEvent} from '../engine/types.ts';
import {JournalError} from '../journal/header.ts';
import {readJournal} from '../journal/read.ts';
import {replayJournal} from '../journal/replay.ts';
import {listSessions} from '../journal/sessions.ts';
import {journalDir} from '../journal/location.ts';
import {reopenJournal} from '../journal/write.ts';
import type {ReportOptions, TargetOptions} from './options.ts';
import {interactive, openGuide} from './guided.ts';

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
	const resumed: RunEvent = {type: 'session-resumed', at: now(), gapMs: Number.isNaN(lastAt) ? 0 : Math.max(0, Date.now() - lastAt), after: state.endedBy ?? 'cut off'};
	writer.append(resumed, {flush: true});
	state = reduce(state, resumed);
	const hasNotes = Object.values(state.steps).some(s => s.note);
	return openGuide({state, executor, journal: writer, report: reportOptionsOf(saved), color: options.color, unsavedNotes: hasNotes && state.exports.length === 0});
}
