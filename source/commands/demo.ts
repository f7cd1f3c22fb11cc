import {startDrill, type Drill} from '../drill/drill.ts';
import {startProgress} from '../drill/progress.ts';
import {startQuiz, type QuizHook} from '../drill/quiz.ts';
import {findScenario, scenarios, type Scenario} from '../drill/scenarios.ts';
import type {GuidedOptions} from './guided.ts';
import {UsageError} from '../errors.ts';
import {holdKeys} from '../ui/terminal-modes.ts';
import {writeStdout} from './stdout.ts';

export type DemoOptions = GuidedOptions & {list?: boolean; headless?: boolean; quiz?: boolean};

/** What the guided TUI receives in training mode (`options.quiz`): ask for the cause at the end, then reveal. */
export type GuidedDemoOptions = GuidedOptions & {quiz?: QuizHook; drill?: string; practice?: string};

function listScenarios(): string {
	const width = Math.max(...scenarios.map(s => s.id.length));
	return scenarios.map(s => `${s.id.padEnd(width)}  ${s.summary}`).join('\n') + '\n';
}

function chooseScenario(id: string | undefined, options: DemoOptions): {scenario: Scenario; quiz?: QuizHook} {
	if (options.url || options.postgresUrl || options.serverLog || options.pgLog)
		throw new UsageError('demo makes its own database and logs; --url, --server-log and --pg-log do not apply');
	if (options.quiz) {
		if (id !== undefined) throw new UsageError('--quiz picks the scenario itself and keeps it hidden; give no scenario');
		if (options.headless) throw new UsageError('--quiz is answered in the guided runbook; it has no --headless form');
		if (!process.stdout.isTTY || !process.stdin.isTTY) throw new UsageError('--quiz needs a terminal (keys in, screen out)');
		const {scenario, hook} = startQuiz();
		return {scenario, quiz: hook};
	}
	const scenario = findScenario(id ?? 'healthy');
	if (!scenario) throw new UsageError(`unknown scenario "${id}"; choose one of: ${scenarios.map(s => s.id).join(', ')}`);
	return {scenario};
}

/** `pg500 demo [SCENARIO]`: a drill on an embedded PostgreSQL, then the guided runbook (or `run`) on it. */
export async function demo(id: string | undefined, options: DemoOptions): Promise<number> {
	if (options.list) {
		await writeStdout(listScenarios());
		return 0;
	}
	const {scenario, quiz} = chooseScenario(id, options);
	const starting = startProgress('Starting an embedded PostgreSQL…');
	let preparing: ReturnType<typeof startProgress> | undefined;
	let drill: Drill;
	try {
		drill = await startDrill(scenario, () => {
			starting.done();
			// In training mode the screen must not give the fault away.
			preparing = startProgress(quiz ? 'Preparing the drill…' : `Injecting the fault (${scenario.id})…`);
		});
	} catch (error) {
		starting.done();
		preparing?.done();
		throw new UsageError(`the drill could not start: ${String((error as Error).message ?? error).split('\n')[0]}`);
	}
	try {
		preparing?.done();
		const target: GuidedDemoOptions = {
			...options,
			url: drill.targetUrl,
			serverLog: drill.serverLogPath,
			pgLog: drill.server.pgLogPath,
			quiz,
			// Kept in the journal for the list of sessions to resume; a quiz keeps its drill hidden there too.
			drill: quiz ? 'quiz' : scenario.id,
			// A quiz keeps its fault hidden: its lesson would name the fix.
			practice: quiz ? undefined : scenario.practice,
		};
		if (options.headless) {
			const {run} = await import('./run.ts');
			return await run(target);
		}
		holdKeys();
		const {guided} = await import('./guided.ts');
		return await guided(target);
	} finally {
		await drill.dispose();
	}
}
