import type {Dispatch} from 'react';
import os from 'node:os';
import {captureCommand, defaultCaptureLimits, type CaptureLimits} from '../checks/capture-command.ts';
import {logFileProblem} from '../checks/check-log-file.ts';
import type {Executor} from '../checks/executor.ts';
import type {Notice, RunState} from '../engine/types.ts';
import {escapeUntrusted, truncate} from '../text/escape.ts';
import {redactedPrefix} from '../text/secrets.ts';
import {commandLine, logCommands, logTarget} from './log-commands.ts';
import type {GuideAction, GuideState} from './use-guide-state.ts';

/* A log step the tool could not read (no --server-log, no way to the
 * PostgreSQL log): the operator types a path, or runs a command that prints
 * the log. Nothing runs before the operator has seen the exact line and said y. */

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

export interface LogActionContext {
	executor: Executor;
	getRun(): RunState;
	getGuide(): GuideState;
	dispatchGuide: Dispatch<GuideAction>;
	busy(): boolean;
	/** Marks the step as running (spinner, no other step may start) until the returned release. */
	hold(stepId: string): () => void;
	runStep(stepId: string, via?: Executor): Promise<void>;
	limits?: CaptureLimits;
}

const expandHome = (path: string) => (path === '~' || path.startsWith('~/') ? os.homedir() + path.slice(1) : path);

/** The executor, with the temp file's name in the log step's notices replaced by the command that made it. */
function naming(executor: Executor, tempPath: string, name: string, extra: Notice[]): Executor {
	return {
		target: executor.target,
		serverVersion: () => executor.serverVersion(),
		close: () => executor.close(),
		async run(step, stepId, state) {
			const outcome = await executor.run(step, stepId, state);
			const notices = (outcome.notices ?? []).map(n => ({...n, message: n.message.split(tempPath).join(name)}));
			return {...outcome, notices: [...notices, ...extra]};
		},
	};
}

export function logActions(context: LogActionContext): LogActions {
	const {executor, getRun, getGuide, dispatchGuide} = context;
	const limits = context.limits ?? defaultCaptureLimits;
	const fail = (text: string) => dispatchGuide({type: 'message', severity: 'critical', text});
	const current = () => {
		const log = getGuide().log;
		const target = log && executor.setLogPath ? logTarget(getRun(), log.stepId) : undefined;
		return log && target ? {log, target} : undefined;
	};
	const open = (overlay: 'log-path' | 'log-command', commands: boolean) => {
		const guide = getGuide();
		const target = executor.setLogPath ? logTarget(getRun(), guide.focus ?? getRun().visited.at(-1)) : undefined;
		if (!target || context.busy() || (commands && !target.commands)) return;
		dispatchGuide({type: 'log', overlay, log: {stepId: target.stepId}});
	};

	return {
		askPath: () => open('log-path', false),
		askCommand: () => open('log-command', true),

		async usePath(typed) {
			const at = current();
			if (!at || context.busy()) return;
			const path = expandHome(typed.trim());
			if (!path) return fail('Type the path of the log file, or Esc.');
			const problem = await logFileProblem(path);
			if (problem) return fail(`${problem}: type another path, or Esc`);
			executor.setLogPath!(at.target.source, path);
			dispatchGuide({type: 'overlay'});
			await context.runStep(at.log.stepId);
		},

		pickCommand(id) {
			const at = current();
			const command = logCommands.find(c => c.id === id);
			if (!at || !command) return;
			const log = {stepId: at.log.stepId, commandId: id};
			if (command.ask) dispatchGuide({type: 'log', overlay: 'log-value', log});
			else dispatchGuide({type: 'log', overlay: 'log-confirm', log: {...log, line: commandLine(command, '')}});
		},

		fillCommand(value) {
			const at = current();
			const command = logCommands.find(c => c.id === at?.log.commandId);
			if (!at || !command) return;
			if (!value.trim()) return fail(`Type the ${command.ask}, or Esc.`);
			dispatchGuide({type: 'log', overlay: 'log-confirm', log: {...at.log, line: commandLine(command, value)}});
		},

		async confirmCommand(yes) {
			const at = current();
			const line = at?.log.line;
			dispatchGuide({type: 'overlay'});
			if (!at || !line) return;
			if (!yes) {
				dispatchGuide({type: 'message', severity: 'info', text: 'Nothing was run.'});
				return;
			}
			if (context.busy()) return;
			const {stepId} = at.log;
			const release = context.hold(stepId);
			let capture;
			try {
				capture = await captureCommand(line, limits);
			} catch (error) {
				release();
				return fail(`Could not run the command: ${escapeUntrusted((error as Error).message ?? String(error))}`);
			}
			try {
				const seconds = Math.round(limits.timeoutMs / 1000);
				if (!capture.timedOut && !capture.cut && capture.exitCode !== 0) {
					const why = capture.lastLine ? `: ${truncate(escapeUntrusted(redactedPrefix(capture.lastLine, 200)), 200)}` : '';
					release();
					return fail(`The command failed (exit ${capture.exitCode ?? 'by a signal'}), nothing was read${why}`);
				}
				if (capture.timedOut && capture.bytes === 0) {
					release();
					return fail(`The command printed nothing in ${seconds} s and was stopped; nothing was read.`);
				}
				const name = `the output of \`${escapeUntrusted(line)}\``;
				const extra: Notice[] = [];
				if (capture.timedOut)
					extra.push({id: 'log-command-timeout', severity: 'info', message: `The command was stopped after ${seconds} s: only its output until then was read.`});
				if (capture.cut)
					extra.push({id: 'log-command-cut', severity: 'info', message: `The command printed more than ${Math.round(limits.maxBytes / (1 << 20))} MB and was stopped: only the first part was read.`});
				executor.setLogPath!(at.target.source, capture.path);
				release();
				await context.runStep(stepId, naming(executor, capture.path, name, extra));
			} finally {
				// The output was read; it must not outlive the step (it can hold anything the service logged).
				executor.setLogPath!(at.target.source, undefined);
				await capture.remove();
			}
		},
	};
}
