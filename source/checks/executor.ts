import type {RunnableStep} from '../runbook/schema.ts';
import type {Pooler, RunState, StepOutcome, TargetInfo} from '../engine/types.ts';

/**
 * Runs the effect of one step (SQL on the safe session, reading a log) and
 * says what it produced. Never throws for an expected failure: a timeout, a
 * lost connection or a missing privilege is an outcome with an error or notices.
 */
export interface Executor {
	/** The target as the report names it (never a password), known before connecting. */
	readonly target: TargetInfo;
	run(step: RunnableStep, stepId: string, state: RunState): Promise<StepOutcome>;
	/** Server version once connected (e.g. "16.4"), else null. */
	serverVersion(): string | null;
	/** The pooler pg500 found it talks through (PgBouncer), else null. Only executors that connect have it. */
	pooler?(): Pooler | null;
	/**
	 * Names a log at run time (a path the operator typed in the TUI, or a
	 * command's captured output), replacing the one given on the command line;
	 * undefined goes back to none. Only executors that read logs have it.
	 */
	setLogPath?(source: 'server-log' | 'postgres-log', path: string | undefined): void;
	close(): Promise<void>;
}
