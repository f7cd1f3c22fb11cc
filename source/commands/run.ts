import {access, constants, stat} from 'node:fs/promises';
import path from 'node:path';
import type {Runbook} from '../runbook/schema.ts';
import {loadRunbook} from '../runbook/load.ts';
import type {RunState} from '../engine/types.ts';
import {initialState} from '../engine/reducer.ts';
import {exitCodes, verdictOf} from '../engine/verdict.ts';
import type {Executor} from '../checks/executor.ts';
import {createSession} from '../session/controller.ts';
import {createExecutor} from '../session/create-executor.ts';
import {renderReport} from '../report/render.ts';
import {writeFileAtomic} from '../report/write-file-atomic.ts';
import {reportLocation} from '../report/location.ts';
import {fileProblem, writeProblem} from '../files/file-problem.ts';
import {targetNamed} from '../postgres/target.ts';
import {escapeUntrusted} from '../text/escape.ts';
import type {ReportOptions, TargetOptions} from '../session/options.ts';
import {targetUrl} from '../session/options.ts';
import {UsageError} from '../errors.ts';
import {writeStdout} from './stdout.ts';

export interface HeadlessRun {
	runbook: Runbook;
	executor: Executor;
	report: ReportOptions;
}

/**
 * Runs the runbook without a person, then renders the report to standard
 * output or --output. The exit code is the verdict's (0 ok, 1 warning, 2 critical).
 * The caller owns the executor and closes it.
 */
export async function runHeadless({runbook, executor, report}: HeadlessRun): Promise<{state: RunState; exitCode: number}> {
	const session = createSession({state: initialState(runbook), executor});
	session.start();
	const state = await session.runToEnd();
	const text = renderReport(state, report.format, {
		redactLiterals: report.redactLiterals ?? false,
		includeSql: report.includeSql ?? false,
		// The summary alone is no full report: `run` keeps no journal to render one from later.
		location: report.output === undefined || report.format === 'summary' ? undefined : reportLocation(report.output),
	});
	if (report.output) {
		try {
			writeFileAtomic(report.output, text);
		} catch (error) {
			// No report, so no verdict: a cut or missing file must not pass for one.
			throw new UsageError(`cannot write the report to ${escapeUntrusted(report.output)}: ${writeProblem(error)}`);
		}
	}
	// A reader that stopped reading (| head) is no failure: the verdict stands.
	else await writeStdout(text);
	return {state, exitCode: exitCodes[verdictOf(state)]};
}

/** A log the operator named must be readable: finding out half-way through would waste the run. */
async function checkReadable(option: string, file: string | undefined): Promise<void> {
	if (file === undefined || file === '-') return;
	try {
		await access(file, constants.R_OK);
		const info = await stat(file);
		if (info.isDirectory()) throw Object.assign(new Error('a directory'), {code: 'EISDIR'});
		if (!info.isFile()) throw Object.assign(new Error('not a regular file'), {reason: 'not a regular file (a FIFO, a device or a socket); - reads standard input'});
	} catch (error) {
		throw new UsageError(`cannot read ${option} ${escapeUntrusted(file)}: ${fileProblem(error)}`);
	}
}

/** The report's directory must exist and take files before the diagnosis runs, not after. */
async function checkWritableDir(file: string | undefined): Promise<void> {
	if (file === undefined) return;
	const dir = path.dirname(path.resolve(file));
	try {
		if (!(await stat(dir)).isDirectory()) throw Object.assign(new Error('not a directory'), {code: 'ENOTDIR'});
		await access(dir, constants.W_OK);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		throw new UsageError(`cannot write --output ${escapeUntrusted(file)}: ${code === 'ENOENT' || code === 'ENOTDIR' ? `no directory ${escapeUntrusted(dir)}` : fileProblem(error)}`);
	}
}

/** `pg500 run`: the exit code per the contract (3 when the tool itself could not do its job). */
export async function run(options: TargetOptions & ReportOptions & {postgresUrl?: string}): Promise<number> {
	await checkReadable('--server-log', options.serverLog);
	await checkReadable('--pg-log', options.pgLog);
	await checkWritableDir(options.output);
	const runbook = await loadRunbook(options.runbook);
	const executor = createExecutor(options);
	if (!targetNamed(targetUrl(options)))
		process.stderr.write(`pg500: no target named (--url, DATABASE_URL or PGHOST): trying ${executor.target.host}:${executor.target.port} as libpq would\n`);
	try {
		const {exitCode} = await runHeadless({runbook, executor, report: options});
		return exitCode;
	} finally {
		await executor.close();
	}
}
