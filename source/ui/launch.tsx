import {render} from 'ink';
import type {Executor} from '../checks/executor.ts';
import {exitCodes, reportVerdict} from '../engine/verdict.ts';
import type {JournalWriter} from '../journal/write.ts';
import type {SessionController} from '../session/controller.ts';
import {Guide} from './guide.tsx';
import {colorWanted, glyphsFor} from './glyphs.ts';

export interface GuideSession {
	session: SessionController;
	/** The session's journal and executor, closed once the guide is done with them. */
	journal: Pick<JournalWriter, 'path' | 'close'>;
	executor: Pick<Executor, 'close'>;
	color: boolean;
}

type Ending = 'quit' | 'interrupt' | 'SIGTERM' | 'SIGHUP' | 'SIGINT';

/** Conventional shell codes for a session ended by a signal (128 + number); `q` gives the verdict's code. */
const signalCodes: Record<Exclude<Ending, 'quit'>, number> = {interrupt: 130, SIGINT: 130, SIGTERM: 143, SIGHUP: 129};

/**
 * Renders the guide until the operator quits or a signal arrives, then
 * restores the terminal, writes a partial report when interrupted (or a
 * report on `q` while the journal's disk holds back events), closes the
 * journal and the executor, and says where both are.
 */
export function launchGuide({session: controller, journal, executor, color}: GuideSession): Promise<number> {
	return new Promise(resolve => {
		let ended = false;
		const signals = ['SIGTERM', 'SIGHUP', 'SIGINT'] as const;
		const onSignal = (signal: (typeof signals)[number]) => void finish(signal);
		for (const signal of signals) process.on(signal, onSignal);

		const finish = async (ending: Ending) => {
			if (ended) return;
			ended = true;
			for (const signal of signals) process.off(signal, onSignal);
			instance.unmount();
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
			process.stderr.write(`${[...new Set(lines)].join('\n')}\n`);
			// `q` before the run ended: the partial report's verdict (unknown when nothing was found yet), not ok.
			resolve(ending === 'quit' ? exitCodes[reportVerdict(controller.getState().run)] : signalCodes[ending]);
		};

		const instance = render(
			<Guide
				effects={{session: controller, exit: reason => void finish(reason)}}
				glyphs={glyphsFor(process.env)}
				color={colorWanted(color, process.env)}
			/>,
			{exitOnCtrlC: false, patchConsole: false},
		);
	});
}
