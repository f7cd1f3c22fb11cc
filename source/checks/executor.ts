import type {RunnableStep} from '../runbook/schema.ts';
import type {ActionStatus, Pooler, RunState, StepOutcome, TargetInfo} from '../engine/types.ts';
import type {WatchRead} from '../watch/reading.ts';
import type {PlannedTarget, PrivilegeFacts} from '../engine/actions.ts';
import type {ActionTarget} from '../runbook/schema.ts';

/** How one action on one target ended. */
export interface ActionOutcome {
	status: ActionStatus;
	result: string;
	error: string | null;
}

export interface RunOptions {
	/** A verification: the connect step asks again whether the diagnosed role can connect (not what it saw at first). */
	fresh?: boolean;
}

/**
 * Runs the effect of one step (SQL on the safe session, reading a log) and
 * says what it produced. Never throws for an expected failure: a timeout, a
 * lost connection or a missing privilege is an outcome with an error or notices.
 */
export interface Executor {
	/** The target as the report names it (never a password), known before connecting. */
	readonly target: TargetInfo;
	run(step: RunnableStep, stepId: string, state: RunState, options?: RunOptions): Promise<StepOutcome>;
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
	/** What the connected role may do, for offering actions: the facts, for `roles` the targets name; or why they cannot be read. */
	privileges?(roles: readonly string[]): Promise<PrivilegeFacts | {problem: string}>;
	/** One confirmed action on one target: its own READ WRITE transaction, only while the target is what the diagnosis saw. */
	act?(kind: ActionTarget, target: PlannedTarget): Promise<ActionOutcome>;
	/** Connects as another role (`login` a role name) or target (`login` a URL), for one that is refused; why not, or undefined. */
	reconnect?(login: string, password: string | undefined): Promise<string | undefined>;
	/** Whom the session is connected as now: the target, unless the operator reconnected as another. */
	connectedAs?(): TargetInfo;
	/**
	 * One read of the watch figures (pg500 watch, the TUI's `w`) on the same
	 * connection as the checks, with the runbook's thresholds as `pg500.*`
	 * settings. Only executors with a live target have it.
	 */
	readWatch?(thresholds: Record<string, number>): Promise<WatchRead>;
	/** The denokv server log a watch can follow as it grows: a file, never standard input. */
	followableServerLog?(): string | undefined;
	close(): Promise<void>;
}
