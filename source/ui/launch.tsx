import {render} from 'ink';
import type {Executor} from '../checks/executor.ts';
import {exitCodes, verdictOf} from '../engine/verdict.ts';
import type {SessionController} from '../session/controller.ts';
import {Guide} from './guide.tsx';
import {colorWanted, glyphsFor} from './glyphs.ts';

export interface GuideSession {
	session: SessionController;
	/** The session's journal and executor, closed once the guide is done with them. */
	journal: {readonly path: string; close(): unknown};
	executor: Pick<Executor, 'close'>;
	color: boolean;
}

type Ending = 'quit' | 'interrupt' | 'SIGTERM' | 'SIGHUP' | 'SIGINT';

/** Conventional shell codes for a session ended by a signal (128 + number); `q` gives the verdict's code. */
const signalCodes: Record<Exclude<Ending, 'quit'>, number> = {interrupt: 130, SIGINT: 130, SIGTERM: 143, SIGHUP: 129};

/**
 * Renders the guide until the operator quits or a signal arrives, then
 * restores the terminal, writes a partial report when interrupted, closes the
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
			if (ending !== 'quit') {
				try {
					const {path} = await controller.exportReport();
					lines.push(`partial report: ${path}`);
				} catch (error) {
					lines.push(`partial report not written: ${(error as Error).message ?? String(error)}`);
				}
			} else for (const e of controller.getState().run.exports) lines.push(`report: ${e.path}`);
			controller.close();
			await journal.close();
			// The executor may be mid-query after a signal; closing it ends that query too.
			await executor.close().catch(() => {});
			process.stderr.write(`${[...new Set(lines)].join('\n')}\n`);
			resolve(ending === 'quit' ? exitCodes[verdictOf(controller.getState().run)] : signalCodes[ending]);
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
