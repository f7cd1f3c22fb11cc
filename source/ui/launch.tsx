import {render} from 'ink';
import {now} from '../checks/drive.ts';
import type {Executor} from '../checks/executor.ts';
import {exitCodes, reportVerdict} from '../engine/verdict.ts';
import type {RunState} from '../engine/types.ts';
import type {QuizHook} from '../drill/quiz.ts';
import type {JournalHealth} from '../journal/write.ts';
import {Guide} from './guide.tsx';
import type {GuideEffects} from './use-guide-actions.ts';
import {colorWanted, glyphsFor} from './glyphs.ts';
import {createRunStore, type EventSink} from './run-store.ts';

export interface GuideSession {
	state: RunState;
	executor: Executor;
	journal: EventSink & {close(): JournalHealth | void; health?(): JournalHealth};
	/** Writes the report of a state; says where and in which format. */
	exportReport(state: RunState): Promise<{path: string; format: string}>;
	color: boolean;
	unsavedNotes?: boolean;
	/** `pg500 demo --quiz`: ask for the cause at the end, then reveal. */
	quiz?: QuizHook;
	/** The journal's health for the screen's banner. */
	journalHealth?: GuideEffects['journal'];
}

type Ending = 'quit' | 'interrupt' | 'SIGTERM' | 'SIGHUP' | 'SIGINT';

/** Conventional shell codes for a session ended by a signal (128 + number); `q` gives the verdict's code. */
const signalCodes: Record<Exclude<Ending, 'quit'>, number> = {interrupt: 130, SIGINT: 130, SIGTERM: 143, SIGHUP: 129};

/**
 * Renders the guide until the operator quits or a signal arrives, then
 * restores the terminal, writes a partial report when interrupted, closes the
 * journal and the executor, and says where both are.
 */
export function launchGuide(session: GuideSession): Promise<number> {
	return new Promise(resolve => {
		let ended = false;
		const store = createRunStore(session.state, session.journal, error => {
			process.stderr.write(`pg500: cannot write the journal: ${(error as Error).message ?? String(error)}\n`);
		});
		const signals = ['SIGTERM', 'SIGHUP', 'SIGINT'] as const;
		const onSignal = (signal: (typeof signals)[number]) => void finish(signal);
		for (const signal of signals) process.on(signal, onSignal);

		const finish = async (ending: Ending) => {
			if (ended) return;
			ended = true;
			for (const signal of signals) process.off(signal, onSignal);
			instance.unmount();
			const lines = [`journal: ${session.journal.path}`];
			// Events the journal's disk would not take exist only in memory now: a report keeps them.
			const journalShort = (session.journal.health?.().unsaved ?? 0) > 0;
			if (ending !== 'quit' || journalShort) {
				try {
					const {path, format} = await session.exportReport(store.get());
					store.dispatch({type: 'report-exported', at: now(), path, format});
					lines.push(`${ending === 'quit' ? 'report' : 'partial report'}: ${path}`);
				} catch (error) {
					lines.push(`report not written: ${(error as Error).message ?? String(error)}`);
				}
			} else for (const e of store.get().exports) lines.push(`report: ${e.path}`);
			store.close();
			const left = session.journal.close();
			if (left && left.unsaved > 0) lines.push(`journal incomplete: ${left.unsaved} events could not be written to it (${left.problem ?? 'write failed'})`);
			// The executor may be mid-query after a signal; closing it ends that query too.
			await session.executor.close().catch(() => {});
			process.stderr.write(`${[...new Set(lines)].join('\n')}\n`);
			// `q` before the run ended: the partial report's verdict (unknown when nothing was found yet), not ok.
			resolve(ending === 'quit' ? exitCodes[reportVerdict(store.get())] : signalCodes[ending]);
		};

		const instance = render(
			<Guide
				effects={{store, executor: session.executor, exportReport: session.exportReport, exit: reason => void finish(reason), quiz: session.quiz, journal: session.journalHealth}}
				glyphs={glyphsFor(process.env)}
				color={colorWanted(session.color, process.env)}
				unsavedNotes={session.unsavedNotes}
			/>,
			{exitOnCtrlC: false, patchConsole: false},
		);
	});
}
