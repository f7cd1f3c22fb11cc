import {lstatSync, readdirSync} from 'node:fs';
import path from 'node:path';
import type {SessionEnding, TargetInfo, Verdict} from '../engine/types.ts';
import {verdictOf} from '../engine/verdict.ts';
import {JournalError} from './header.ts';
import {readJournal} from './read.ts';
import {replayJournal, interruptedStep} from './replay.ts';
import {journalDir, journalExtension, stateDirProblem} from './location.ts';

export interface SessionSummary {
	path: string;
	startedAt: string;
	target: TargetInfo;
	runbookPath: string;
	/** The verdict of what the session had seen when it stopped. */
	verdict: Verdict;
	finished: boolean;
	/** Main steps with a result, out of all main steps. */
	stepsDone: number;
	stepsTotal: number;
	/** The step that was running when the session stopped. */
	interruptedStep?: string;
	/** A drill's scenario (`pg500 demo`), or `quiz` when it is hidden. */
	drill?: string;
	/** How the session ended the last time: `cut off` when its journal just stops (killed, crashed, or still open). */
	ending: SessionEnding | 'cut off';
	/** Set when the journal cannot be read or replayed: why (the other fields are then from the file name). */
	problem?: string;
}

const done = new Set(['ok', 'warning', 'critical', 'error', 'manual', 'skipped']);

function summarize(file: string): SessionSummary {
	const journal = readJournal(file);
	const state = replayJournal(journal);
	const main = state.runbook.steps.map(s => state.steps[s.id]!);
	const running = interruptedStep(state);
	const drill = journal.header.options['drill'];
	return {
		path: file,
		startedAt: journal.header.startedAt,
		target: state.target ?? journal.header.target,
		runbookPath: journal.header.runbookPath,
		verdict: verdictOf(state),
		finished: state.finishedAt !== undefined,
		stepsDone: main.filter(s => done.has(s.status)).length,
		stepsTotal: main.length,
		...(running === undefined ? {} : {interruptedStep: running}),
		...(typeof drill === 'string' ? {drill} : {}),
		ending: state.endedBy ?? 'cut off',
	};
}

/** `2024-05-01T03-12-44Z-3f9a1c.jsonl` → `2024-05-01T03:12:44Z`, or '' for a name pg500 did not give. */
function startFromName(name: string): string {
	const m = /^(\d{4}-\d{2}-\d{2}T\d{2})-(\d{2})-(\d{2})Z-/.exec(name);
	return m ? `${m[1]}:${m[2]}:${m[3]}Z` : '';
}

/** Recent sessions in `dir` (default journalDir()), newest first; at most `limit`. */
export function listSessions(dir: string = journalDir(), limit = 20): SessionSummary[] {
	// No directory yet: no sessions. Any other problem with it is the operator's to fix.
	if (!lstatSync(dir, {throwIfNoEntry: false})) return [];
	const problem = stateDirProblem(dir);
	if (problem) throw new JournalError(`cannot use the journal directory ${dir}: ${problem}`);
	let names: string[];
	try {
		names = readdirSync(dir).filter(n => n.endsWith(journalExtension) && !n.startsWith('.'));
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
		throw error;
	}
	// File names start with the start time, so the name order is the time order.
	names.sort().reverse();
	return names.slice(0, limit).map(name => {
		const file = path.join(dir, name);
		try {
			return summarize(file);
		} catch (error) {
			if (!(error instanceof JournalError)) throw error;
			return {
				path: file,
				startedAt: startFromName(name),
				target: {host: '', port: 0, database: '', user: '', serverVersion: null},
				runbookPath: '',
				verdict: 'unknown',
				finished: false,
				stepsDone: 0,
				stepsTotal: 0,
				ending: 'cut off',
				problem: error.message,
			};
		}
	});
}
