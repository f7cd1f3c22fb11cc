import {render} from 'ink';
import type {Executor} from '../checks/executor.ts';
import type {SessionEnding} from '../engine/types.ts';
import {exitCodes, reportVerdict} from '../engine/verdict.ts';
import type {JournalWriter} from '../journal/write.ts';
import type {SessionController} from '../session/controller.ts';
import {Guide} from './guide.tsx';
import {colorWanted, glyphsFor} from './glyphs.ts';
import {releaseGoneTerminal} from './terminal-modes.ts';
import {osc52} from './clipboard.ts';
import {diffingStdout} from '../screen/diffing-stdout.ts';

export interface GuideSession {
	session: SessionController;
	/** The session's journal and executor, closed once the guide is done with them. */
	journal: Pick<JournalWriter, 'path' | 'close'>;
	executor: Pick<Executor, 'close'>;
	color: boolean;
}

/** Conventional shell codes for a session ended by a signal (128 + number); `q` gives the verdict's code. */
const signalCodes: Record<Exclude<SessionEnding, 'quit'>, number> = {'ctrl-c': 130, SIGINT: 130, SIGTERM: 143, SIGHUP: 129, 'terminal-lost': 129};

const signals = ['SIGTERM', 'SIGHUP', 'SIGINT'] as const;

/**
 * Renders the guide until the operator quits, a signal arrives or the
 * terminal goes away; then ends it the same way each time: the ending in the
 * journal, the terminal restored, a partial report written (unless `q`, or
 * on `q` too while the journal's disk holds back events) and its export
 * journaled, the journal synced and closed, the connection closed, and both
 * paths on standard error.
 */
export function launchGuide({session: controller, journal, executor, color}: GuideSession): Promise<number> {
	return new Promise(resolve => {
		let ended = false;
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
		process.stderr.on('error', () => {});

		const finish = async (ending: SessionEnding) => {
			if (ended) return;
			ended = true;
			controller.end(ending);
			try {
				instance.unmount();
			} catch {
				// Restoring a terminal that is gone fails; there is nothing left to restore.
			}
			const lines = [`journal: ${journal.path}`];
			// Events the journal's disk would not take exist only in memory now: a report keeps them.
			const journalShort = controller.getState().journalBacklog !== undefined;
			if (ending !== 'quit' || journalShort) {
				try {
					const {path} = await controller.exportReport();
					lines.push(`${ending === 'quit' ? 'report' : 'partial report'}: ${path}`);
				} catch (error) {
					lines.push(`report not written: ${(error as Error).message ?? String(error)}`);
				}
			} else for (const e of controller.getState().run.exports) lines.push(`report: ${e.path}`);
			controller.close();
			const left = journal.close();
			if (left.unsaved > 0) lines.push(`journal incomplete: ${left.unsaved} events could not be written to it (${left.problem ?? 'write failed'})`);
			// The executor may be mid-query after a signal; closing it ends that query too.
			await executor.close().catch(() => {});
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
			// `q` before the run ended: the partial report's verdict (unknown when nothing was found yet), not ok.
			resolve(ending === 'quit' ? exitCodes[reportVerdict(controller.getState().run)] : signalCodes[ending]);
		};

		const instance = render(
			<Guide
				// OSC 52 goes to the terminal beside Ink's frames: it draws nothing, so the cells Ink keeps track of stay as they are.
				effects={{session: controller, exit: reason => void finish(reason === 'interrupt' ? 'ctrl-c' : reason), clipboard: text => void process.stdout.write(osc52(text))}}
				glyphs={glyphsFor(process.env)}
				color={colorWanted(color, process.env)}
			/>,
			// Only the cells that change reach the terminal: the live watch redraws every 2 s over SSH.
			{exitOnCtrlC: false, patchConsole: false, stdout: process.stdout.isTTY ? diffingStdout(process.stdout) : process.stdout},
		);
	});
}
