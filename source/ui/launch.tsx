import {render} from 'ink';
import {now} from '../checks/drive.ts';
import type {Executor} from '../checks/executor.ts';
import {exitCodes, verdictOf} from '../engine/verdict.ts';
import type {RunState, SessionEnding} from '../engine/types.ts';
import type {QuizHook} from '../drill/quiz.ts';
import {Guide} from './guide.tsx';
import {colorWanted, glyphsFor} from './glyphs.ts';
import {createRunStore, type EventSink} from './run-store.ts';
import {releaseGoneTerminal} from './terminal-modes.ts';

export interface GuideSession {
	state: RunState;
	executor: Executor;
	journal: EventSink & {close(): unknown};
	/** Writes the report of a state; says where and in which format. */
	exportReport(state: RunState): Promise<{path: string; format: string}>;
	color: boolean;
	unsavedNotes?: boolean;
	/** `pg500 demo --quiz`: ask for the cause at the end, then reveal. */
	quiz?: QuizHook;
}

/** Conventional shell codes for a session ended by a signal (128 + number); `q` gives the verdict's code. */
const signalCodes: Record<Exclude<SessionEnding, 'quit'>, number> = {'ctrl-c': 130, SIGINT: 130, SIGTERM: 143, SIGHUP: 129, 'terminal-lost': 129};

const signals = ['SIGTERM', 'SIGHUP', 'SIGINT'] as const;

/**
 * Renders the guide until the operator quits, a signal arrives or the
 * terminal goes away; then ends it the same way each time: the ending in the
 * journal, the terminal restored, a partial report written (unless `q`) and
 * its export journaled, the journal synced and closed, the connection
 * closed, and both paths on standard error.
 */
export function launchGuide(session: GuideSession): Promise<number> {
	return new Promise(resolve => {
		let ended = false;
		const store = createRunStore(session.state, session.journal, error => {
			process.stderr.write(`pg500: cannot write the journal: ${(error as Error).message ?? String(error)}\n`);
		});
		// These stay until the clean-up is done: while a listener of ours is
		// there, Ink's signal-exit does not re-raise the signal (which would kill
		// the process half-way), and a second signal cannot cut the clean-up short.
		const onSignal = (signal: (typeof signals)[number]) => void finish(signal);
		for (const signal of signals) process.on(signal, onSignal);
		// A terminal that goes away without a hang-up reaching pg500 (a closed
		// pty, a session of its own): its input ends or fails with EIO, and so
		// does output to it. That ends the session; it never crashes the process.
		// When the terminal hangs up, the input's end and SIGHUP arrive together in either
		// order: a moment's wait lets the signal name the ending when there is one.
		const onLost = () => void setTimeout(() => void finish('terminal-lost'), 100);
		process.stdin.on('end', onLost);
		process.stdin.on('error', onLost);
		process.stdout.on('error', onLost);
		const ignore = () => {};
		process.stderr.on('error', ignore);

		const finish = async (ending: SessionEnding) => {
			if (ended) return;
			ended = true;
			store.dispatch({type: 'session-ended', at: now(), how: ending});
			try {
				instance.unmount();
			} catch {
				// Restoring a terminal that is gone fails; there is nothing left to restore.
			}
			const lines = [`journal: ${session.journal.path}`];
			if (ending !== 'quit') {
				try {
					const {path, format} = await session.exportReport(store.get());
					store.dispatch({type: 'report-exported', at: now(), path, format});
					lines.push(`partial report: ${path}`);
				} catch (error) {
					lines.push(`partial report not written: ${(error as Error).message ?? String(error)}`);
				}
			} else for (const e of store.get().exports) lines.push(`report: ${e.path}`);
			store.close();
			await session.journal.close();
			// The executor may be mid-query after a signal; closing it ends that query too.
			await session.executor.close().catch(() => {});
			try {
				process.stderr.write(`${[...new Set(lines)].join('\n')}\n`);
			} catch {
				// No terminal to say it on: the journal has it all.
			}
			for (const signal of signals) process.off(signal, onSignal);
			process.stdin.off('end', onLost);
			process.stdout.off('error', onLost);
			// Input from a terminal that is gone may still be pending: let it go, so the process can end.
			if (ending === 'terminal-lost') process.stdin.destroy();
			releaseGoneTerminal();
			resolve(ending === 'quit' ? exitCodes[verdictOf(store.get())] : signalCodes[ending]);
		};

		const instance = render(
			<Guide
				effects={{store, executor: session.executor, exportReport: session.exportReport, exit: reason => void finish(reason === 'interrupt' ? 'ctrl-c' : reason), quiz: session.quiz}}
				glyphs={glyphsFor(process.env)}
				color={colorWanted(session.color, process.env)}
				unsavedNotes={session.unsavedNotes}
			/>,
			{exitOnCtrlC: false, patchConsole: false},
		);
	});
}
