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
import type {ReportOptions, TargetOptions} from '../session/options.ts';
import {UsageError} from '../errors.ts';

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
	const text = await renderReport(state, report.format, {redactLiterals: report.redactLiterals ?? false});
	if (report.output) {
		try {
			await writeFileAtomic(report.output, text);
		} catch (error) {
			throw new UsageError(`cannot write the report to ${report.output}: ${reasonOf(error)}`);
		}
	}
	else await writeStdout(text);
	return {state, exitCode: exitCodes[verdictOf(state)]};
}

function writeStdout(text: string): Promise<void> {
	return new Promise((resolve, reject) => process.stdout.write(text, error => (error ? reject(error) : resolve())));
}

/** Why a file operation failed, in a few words. */
function reasonOf(error: unknown): string {
	const code = (error as NodeJS.ErrnoException).code;
	if (code === 'ENOENT') return 'no such file or directory';
	if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
	if (code === 'EISDIR') return 'not a file';
	if (code === 'ENOSPC') return 'no space left on the device';
	return code ?? (error as Error).message;
}

/** A log the operator named must be readable: finding out half-way through would waste the run. */
async function checkReadable(option: string, file: string | undefined): Promise<void> {
	if (file === undefined || file === '-') return;
	try {
		await access(file, constants.R_OK);
		if (!(await stat(file)).isFile()) throw Object.assign(new Error('not a file'), {code: 'EISDIR'});
	} catch (error) {
		throw new UsageError(`cannot read ${option} ${file}: ${reasonOf(error)}`);
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
		throw new UsageError(`cannot write --output ${file}: ${code === 'ENOENT' || code === 'ENOTDIR' ? `no directory ${dir}` : reasonOf(error)}`);
	}
}

/** Whether the operator named a target at all; libpq's defaults are a guess worth saying out loud. */
function targetNamed(options: {url?: string; postgresUrl?: string}, env: NodeJS.ProcessEnv = process.env): boolean {
	return Boolean(options.url ?? options.postgresUrl ?? env.DATABASE_URL ?? env.PGHOST ?? env.PGPORT ?? env.PGDATABASE);
}

/** `pg500 run`: the exit code per the contract (3 when the tool itself could not do its job). */
export async function run(options: TargetOptions & ReportOptions & {postgresUrl?: string}): Promise<number> {
	await checkReadable('--server-log', options.serverLog);
	await checkReadable('--pg-log', options.pgLog);
	await checkWritableDir(options.output);
	const runbook = await loadRunbook(options.runbook);
	const executor = createExecutor(options);
	if (!targetNamed(options))
		process.stderr.write(`pg500: no target named (--url, DATABASE_URL or PGHOST): trying ${executor.target.host}:${executor.target.port} as libpq would\n`);
	try {
		const {exitCode} = await runHeadless({runbook, executor, report: options});
		return exitCode;
	} finally {
		await executor.close();
	}
}
