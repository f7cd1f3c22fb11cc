import type {Dispatch} from 'react';
import type {SessionController} from '../session/controller.ts';
import {logTarget} from '../session/log-input.ts';
import {commandLine, logCommands} from './log-commands.ts';
import type {GuideAction, GuideState} from './use-guide-state.ts';

/* A log step the tool could not read (no --server-log, no way to the
 * PostgreSQL log): the operator types a path, or prepares a command that
 * prints the log. Nothing runs before the operator has seen the exact line and
 * said y; the session controller reads the file or runs the line. */

export interface LogActions {
	/** `l`: the path input for the log step shown. */
	askPath(): void;
	/** Enter in the path input: a readable file runs the step again on it; else the reason, and the input stays. */
	usePath(path: string): Promise<void>;
	/** `x`: the commands that print the denokv server log. */
	askCommand(): void;
	pickCommand(id: string): void;
	/** Enter in the placeholder input (container, pod…). */
	fillCommand(value: string): void;
	/** `y` runs the line shown, `n` or Esc runs nothing. */
	confirmCommand(run: boolean): Promise<void>;
}

export function logActions(session: SessionController, getGuide: () => GuideState, dispatchGuide: Dispatch<GuideAction>): LogActions {
	const fail = (text: string) => dispatchGuide({type: 'message', severity: 'critical', text});
	const open = (overlay: 'log-path' | 'log-command', commands: boolean) => {
		const {run, running} = session.getState();
		const target = session.logInput ? logTarget(run, getGuide().focus ?? run.visited.at(-1)) : undefined;
		if (!target || running || (commands && !target.commands)) return;
		dispatchGuide({type: 'log', overlay, log: {stepId: target.stepId}});
	};

	return {
		askPath: () => open('log-path', false),
		askCommand: () => open('log-command', true),

		async usePath(typed) {
			const log = getGuide().log;
			if (!log) return;
			if (!typed.trim()) return fail('Type the path of the log file, or Esc.');
			// On success the step runs on the file, and its start closes the input.
			const problem = await session.setLogPath(log.stepId, typed);
			if (problem) fail(`${problem}: type another path, or Esc`);
		},

		pickCommand(id) {
			const log = getGuide().log;
			const command = logCommands.find(c => c.id === id);
			if (!log || !command) return;
			const next = {stepId: log.stepId, commandId: id};
			if (command.ask) dispatchGuide({type: 'log', overlay: 'log-value', log: next});
			else dispatchGuide({type: 'log', overlay: 'log-confirm', log: {...next, line: commandLine(command, '')}});
		},

		fillCommand(value) {
			const log = getGuide().log;
			const command = logCommands.find(c => c.id === log?.commandId);
			if (!log || !command) return;
			if (!value.trim()) return fail(`Type the ${command.ask}, or Esc.`);
			dispatchGuide({type: 'log', overlay: 'log-confirm', log: {...log, line: commandLine(command, value)}});
		},

		async confirmCommand(yes) {
			const log = getGuide().log;
			dispatchGuide({type: 'overlay'});
			if (!log?.line) return;
			if (!yes) return dispatchGuide({type: 'message', severity: 'info', text: 'Nothing was run.'});
			const problem = await session.runLogCommand(log.stepId, log.line);
			if (problem) fail(problem);
		},
	};
}
