import {Command, CommanderError} from 'commander';
import {addReportOptions, addTargetOptions, addWatchOptions} from './options.ts';
import {UsageError} from '../errors.ts';
import {RunbookError} from '../runbook/runbook-error.ts';
import {JournalError} from '../journal/header.ts';
import {escapeUntrusted} from '../text/escape.ts';
import {catchStdoutErrors} from './stdout.ts';
import {toolVersion} from '../version.ts';
import {holdKeys} from '../ui/terminal-modes.ts';

/* The command line. Each command's module is imported only when that command
 * runs, so `run`, `validate` and `report` never load Ink or React. */

export function buildProgram(setExitCode: (code: number) => void): Command {
	const program = new Command('pg500')
		.description('Guided runbook for HTTP 500 errors of a denokv server backed by PostgreSQL')
		.version(toolVersion, '-V, --version')
		.exitOverride()
		// The program and its subcommands share option names: without this the
		// program takes `run --url …` for itself and `run` sees only defaults.
		.enablePositionalOptions()
		// One line per mistake, like every other usage error: `pg500: …`, with the hint on the same line.
		.configureOutput({
			outputError: (text, write) =>
				write(`pg500: ${text.split('\n')[0]!.replace(/^error: /, '')} (run pg500 --help for usage)\n`),
		});

	addReportOptions(addTargetOptions(program))
		.option('--journal <path>', 'where to keep the session journal (default: under $XDG_STATE_HOME/pg500)')
		// Without this, a mistyped command ("pg500 rnu") would read as "too many arguments".
		.argument('[command]')
		.usage('[options] [command]')
		.action(async (command: string | undefined, options) => {
			if (command !== undefined)
				throw new UsageError(`unknown command "${command}" (commands: ${program.commands.map(c => c.name()).join(', ')}; see pg500 --help)`);
			holdKeys();
			const {guided} = await import('./guided.ts');
			setExitCode(await guided(options));
		});

	addReportOptions(addTargetOptions(program.command('run')))
		.description('run the runbook without a person and print or write the report')
		.action(async options => {
			const {run} = await import('./run.ts');
			setExitCode(await run(options));
		});

	addReportOptions(addTargetOptions(program.command('demo')))
		.description('a drill: embedded PostgreSQL with a real fault, then the guided runbook on it')
		.argument('[scenario]', 'which fault (see --list); default: a healthy database')
		.option('--list', 'list the scenarios')
		.option('--headless', 'run `pg500 run` on the drill instead of the guided runbook')
		.option('--quiz', 'training: a hidden scenario picked at random; name the cause, then see the answer')
		.action(async (scenario, options) => {
			const {demo} = await import('./demo.ts');
			setExitCode(await demo(scenario, options));
		});

	program
		.command('validate')
		.description('check runbook files; prints file:line:col: message for each problem')
		.argument('<paths...>', 'runbook files')
		.action(async paths => {
			const {validate} = await import('./validate.ts');
			setExitCode(await validate(paths));
		});

	addTargetOptions(program.command('resume'))
		.description('continue an interrupted guided session')
		.argument('[journal]', 'the session journal (default: choose from recent sessions)')
		.action(async (journal, options) => {
			holdKeys();
			const {resume} = await import('./resume.ts');
			setExitCode(await resume(journal, options));
		});

	addReportOptions(program.command('report'))
		.description('render a saved session again in another format')
		.argument('<journal>', 'the session journal')
		.action(async (journal, options) => {
			const {report} = await import('./report.ts');
			setExitCode(await report(journal, options));
		});

	addWatchOptions(program.command('watch'))
		.description('live figures of the incident over time: a refreshing view on a terminal, else one JSON object (or text line) per sample')
		.action(async options => {
			const {watch} = await import('./watch.ts');
			setExitCode(await watch(options));
		});

	return program;
}

/** Runs the CLI; every expected failure becomes one line and exit code 3. */
export async function main(argv: string[]): Promise<number> {
	let code = 0;
	const debug = argv.includes('--debug');
	// Stack traces through the lazily loaded parts (the TUI, the runbook parser) point at source lines.
	if (debug) process.setSourceMapsEnabled(true);
	catchStdoutErrors();
	const program = buildProgram(c => (code = c));
	try {
		await program.parseAsync(argv, {from: 'user'});
		return code;
	} catch (error) {
		if (error instanceof CommanderError) {
			// --help and --version end here too, with exit code 0.
			return error.exitCode === 0 ? 0 : 3;
		}
		if (error instanceof UsageError || error instanceof JournalError) {
			process.stderr.write(`pg500: ${escapeUntrusted(error.message)}\n`);
			return error instanceof UsageError ? error.exitCode : 3;
		}
		if (error instanceof RunbookError) {
			// Already one located `file:line:col: message` line per problem.
			process.stderr.write(`${error.message}\n`);
			return 3;
		}
		process.stderr.write(`pg500: internal error: ${escapeUntrusted(String((error as Error).message ?? error))}\n`);
		if (debug) process.stderr.write(`${(error as Error).stack ?? ''}\n`);
		else process.stderr.write('pg500: run again with --debug for details\n');
		return 3;
	}
}
