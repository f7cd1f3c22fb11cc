import os from 'node:os';
import {captureCommand, type CaptureLimits} from '../checks/capture-command.ts';
import type {Executor} from '../checks/executor.ts';
import {findStep} from '../engine/steps.ts';
import type {Notice, RunState} from '../engine/types.ts';
import {escapeUntrusted, truncate} from '../text/escape.ts';
import {redactedPrefix} from '../text/secrets.ts';

/* A log step the tool could not read (no --server-log, no way to the
 * PostgreSQL log): the operator names a file, or a command that prints the
 * log. The face shows the exact line and asks first; this runs it. */

export interface LogTarget {
	stepId: string;
	source: 'server-log' | 'postgres-log';
	/** Commands are offered for the denokv server log; the PostgreSQL log is a file on the database host. */
	commands: boolean;
}

/** The log step `stepId`, when it ended without a log the tool could read: what a typed path or a command acts on. */
export function logTarget(run: RunState, stepId: string | undefined): LogTarget | undefined {
	const def = stepId ? findStep(run.runbook, stepId) : undefined;
	const step = stepId ? run.steps[stepId] : undefined;
	if (!def || !step || def.step.kind !== 'log' || !def.step.source) return undefined;
	if (step.status !== 'manual' && step.status !== 'error') return undefined;
	return {stepId: step.id, source: def.step.source, commands: def.step.source === 'server-log'};
}

export const expandHome = (path: string) => (path === '~' || path.startsWith('~/') ? os.homedir() + path.slice(1) : path);

/** A command's output in a temp file, ready to be read as the log; removed once read. */
export interface CapturedLog {
	path: string;
	/** How the log step's notices name it: the command, not the temp file. */
	name: string;
	/** What the operator must know about how much was read. */
	notices: Notice[];
	remove(): Promise<void>;
}

/** Runs the confirmed command line; its output, or the one line that says why nothing can be read. */
export async function captureLog(line: string, limits: CaptureLimits): Promise<CapturedLog | {problem: string}> {
	let capture;
	try {
		capture = await captureCommand(line, limits);
	} catch (error) {
		return {problem: `Could not run the command: ${escapeUntrusted((error as Error).message ?? String(error))}`};
	}
	const seconds = Math.round(limits.timeoutMs / 1000);
	let problem: string | undefined;
	if (!capture.timedOut && !capture.cut && capture.exitCode !== 0) {
		const why = capture.lastLine ? `: ${truncate(escapeUntrusted(redactedPrefix(capture.lastLine, 200)), 200)}` : '';
		problem = `The command failed (exit ${capture.exitCode ?? 'by a signal'}), nothing was read${why}`;
	} else if (capture.timedOut && capture.bytes === 0) problem = `The command printed nothing in ${seconds} s and was stopped; nothing was read.`;
	if (problem) {
		await capture.remove();
		return {problem};
	}
	const notices: Notice[] = [];
	if (capture.timedOut)
		notices.push({id: 'log-command-timeout', severity: 'info', message: `The command was stopped after ${seconds} s: only its output until then was read.`});
	if (capture.cut)
		notices.push({id: 'log-command-cut', severity: 'info', message: `The command printed more than ${Math.round(limits.maxBytes / (1 << 20))} MB and was stopped: only the first part was read.`});
	return {path: capture.path, name: `the output of \`${escapeUntrusted(line)}\``, notices, remove: () => capture.remove()};
}

/**
 * The executor, reading a captured log under the command's name: the log
 * readers name the file they read, which here is a temp file the operator never saw.
 */
export function readingCaptured(executor: Executor, log: CapturedLog): Executor {
	return {
		target: executor.target,
		serverVersion: () => executor.serverVersion(),
		close: () => executor.close(),
		async run(step, stepId, state) {
			const outcome = await executor.run(step, stepId, state);
			const notices = (outcome.notices ?? []).map(n => ({...n, message: n.message.split(log.path).join(log.name)}));
			return {...outcome, notices: [...notices, ...log.notices]};
		},
	};
}
