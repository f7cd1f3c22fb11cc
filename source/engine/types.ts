import type {Runbook} from '../runbook/schema.ts';

/* The run state and the events that change it. Events are what the journal
 * stores: replaying them through the reducer rebuilds the state exactly. */

export type Severity = 'info' | 'warning' | 'critical';
export type StepStatus = 'pending' | 'running' | 'ok' | 'warning' | 'critical' | 'error' | 'skipped' | 'manual';
export type Verdict = 'ok' | 'warning' | 'critical' | 'unknown';
export type Likelihood = 'likely' | 'possible' | 'unlikely';

/** A JSON-safe result value. Strings are already escaped when they enter the engine. */
export type Value = string | number | boolean | null;
export type Row = Record<string, Value>;

export interface Finding {
	stepId: string;
	ruleId: string;
	/** `step-id.rule-id`, the name causes and branches use. */
	ref: string;
	severity: Severity;
	message: string;
	/** The rule's short form (its `brief`), for the summary and the timeline; absent when the rule has none. */
	brief?: string;
	evidence: Row;
}

/** A finding produced by the executor itself, not by a rule (e.g. "cannot see other roles' sessions"). */
export interface Notice {
	id: string;
	severity: Severity;
	message: string;
}

export interface StepError {
	message: string;
	/** What the operator can do about it. */
	hint?: string;
	sqlstate?: string;
}

/** What running a step produced. Rows are capped; rowCount is the total before the cap. */
export interface StepOutcome {
	rows: Row[];
	rowCount: number;
	columns?: string[];
	error?: StepError;
	notices?: Notice[];
	/** The SQL that ran (version-selected), for the report. */
	query?: string;
	/** Log steps: matching lines over time, oldest first. */
	histogram?: Histogram;
	/** Set when the tool could not do this step itself and the operator must (e.g. no log file given): why. */
	manual?: string;
	/** Set when the step does not apply to this target (e.g. no PgBouncer in front of it): why. */
	skipped?: string;
}

export interface Histogram {
	/** ISO time of the first bucket. */
	start: string;
	/** Seconds each bucket covers: seconds for an incident of minutes, minutes or hours for a long window. */
	bucketSeconds: number;
	counts: number[];
}

/** A connection pooler pg500 found between itself and PostgreSQL. */
export type Pooler = 'pgbouncer';

export interface TargetInfo {
	host: string;
	port: number;
	database: string;
	user: string;
	serverVersion: string | null;
	/** Set once pg500 finds it talks through a pooler; absent (journals from before) reads as null. */
	pooler?: Pooler | null;
}

export interface ToolInfo {
	name: string;
	version: string;
}

/** How an action on one target ended (cli-contract.md, `actions[].status`). */
export type ActionStatus = 'done' | 'failed' | 'refused' | 'skipped';

/**
 * One action on one target, as the journal keeps it: confirmed (and then
 * done, failed, or skipped because the target is no longer what the
 * diagnosis saw) or refused at the confirmation.
 */
export interface ActionRecord {
	actionId: string;
	fixId: string;
	title: string;
	/** Exactly what was (or, refused, would have been) sent. */
	sql: string;
	/** What it acted on, as seen at diagnosis (pid, backend_start…; role; database). */
	target: Row;
	/** OS user@host of the person who answered the confirmation. */
	operator: string;
	/** When the operator answered. */
	confirmedAt: string;
	status: ActionStatus;
	result: string;
	error: string | null;
}

/** Whether the connected role may take an action on one target; why not, and the GRANT that would allow it. */
export interface ActionPermission {
	actionId: string;
	/** The target's key (actionTargetKey). */
	target: string;
	allowed: boolean;
	reason?: string;
	grant?: string;
}

/** A step run again to verify: its outcome, kept apart from the diagnosis. */
export interface Observation {
	stepId: string;
	at: string;
	durationMs: number;
	outcome: StepOutcome;
}

/** One figure of the chosen cause's evidence, before the action and now. */
export interface VerificationFigure {
	stepId: string;
	ruleId: string;
	name: string;
	before: Value;
	after: Value;
	/** The rule's verdict on each side; undefined: normal. */
	severityBefore?: Severity;
	severityAfter?: Severity;
}

export interface Verification {
	at: string;
	fixId: string;
	causeId: string;
	observations: Observation[];
	/** Every evidence finding back to normal, and every step could look. */
	cleared: boolean;
	figures: VerificationFigure[];
	/** What kept it from "cleared" beyond the figures (a step that could not run), and what it did not look at. */
	notes: string[];
}

/**
 * One watch sample: the figures that tell the causes apart at one moment
 * (the line `pg500 watch` prints, cli-contract.md). Rates and the deadlock
 * count are since the previous sample: null when there is none to compare
 * with (the first, or counters reset by a restart).
 */
export interface WatchSample {
	at: string;
	slots_used: number;
	slots_usable: number;
	idle_in_tx: number;
	oldest_idle_in_tx_s: number;
	lock_waiters: number;
	oldest_lock_wait_s: number;
	deadlocks: number | null;
	commits_per_s: number | null;
	rollbacks_per_s: number | null;
	/** null without a server log to follow. */
	server_log_errors_per_min: number | null;
	/** Beyond the contract's line: sessions idle in transaction for the runbook's warning age or more (its critical count judges them). */
	idle_in_tx_long: number;
}

/** A moment worth marking on the watched series: a fix chosen, an action done, a verification. */
export interface Moment {
	at: string;
	label: string;
}

/** What was watched: each time the view was open, every sample, and the moments to mark on them. */
export interface WatchSeries {
	spans: {startedAt: string; intervalSeconds: number; stoppedAt?: string; stopReason?: string}[];
	samples: WatchSample[];
	moments: Moment[];
}

export type RunEvent =
	/** operator: OS user@host (absent in journals from before pg500 recorded it). */
	| {type: 'run-started'; at: string; tool: ToolInfo; target: TargetInfo; runbookPath: string; operator?: string}
	/** What pg500 learnt about the target once it reached it: its version, and the pooler in front of it. */
	| {type: 'target-identified'; at: string; serverVersion?: string; pooler?: Pooler}
	| {type: 'step-started'; at: string; stepId: string}
	| {type: 'step-finished'; at: string; stepId: string; durationMs: number; outcome: StepOutcome}
	| {type: 'step-skipped'; at: string; stepId: string; reason: string}
	| {type: 'manual-done'; at: string; stepId: string}
	| {type: 'note-set'; at: string; stepId: string; text: string}
	| {type: 'fix-chosen'; at: string; fixId: string; by: 'operator' | 'auto'}
	| {type: 'report-exported'; at: string; path: string; format: string}
	| {type: 'actions-checked'; at: string; fixId: string; permissions: ActionPermission[]}
	| ({type: 'action-taken'; at: string} & ActionRecord)
	| {type: 'verified'; at: string; fixId: string; causeId: string; observations: Observation[]}
	| {type: 'target-switched'; at: string; target: TargetInfo; why: string}
	| {type: 'watch-started'; at: string; intervalSeconds: number}
	| ({type: 'watch-sampled'} & WatchSample)
	| {type: 'watch-stopped'; at: string; reason?: string}
	| {type: 'run-finished'; at: string}
	/** The guided session stopped: `q`, Ctrl-C, a signal, or its terminal gone. A journal that just stops was killed. */
	| {type: 'session-ended'; at: string; how: SessionEnding}
	/**
	 * `pg500 resume`: the session goes on after `gapMs` without it; `after` is how it had ended;
	 * who continues it (OS user@host) and with which pg500 (absent in journals from before pg500 recorded them).
	 */
	| {type: 'session-resumed'; at: string; gapMs: number; after: SessionEnding | 'cut off'; operator?: string; tool?: ToolInfo};

/** How a guided session ended. */
export type SessionEnding = 'quit' | 'ctrl-c' | 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'terminal-lost';

export interface StepState {
	id: string;
	title: string;
	kind: string;
	/** For a fix's follow-up check, the fix it belongs to. */
	fixId?: string;
	status: StepStatus;
	startedAt?: string;
	durationMs?: number;
	/** When its result arrived (a resumed session shows how old it is). */
	finishedAt?: string;
	rows: Row[];
	rowCount: number;
	columns?: string[];
	query?: string;
	findings: Finding[];
	error?: StepError;
	note?: string;
	skipReason?: string;
	histogram?: Histogram;
	/** Why the operator has to do this step by hand. */
	manual?: string;
	/** The step's key figures (the runbook's `brief`, filled from the first row). */
	brief?: string;
	/** A manual step the operator ticked off. */
	done?: boolean;
	/** When the operator ticked it off. */
	doneAt?: string;
	/** When the note was last written. */
	noteAt?: string;
}

/**
 * One stretch of a session without a break: the run itself, then each
 * `pg500 resume` — maybe another person, on another host, with another pg500.
 */
export interface SessionPart {
	/** OS user@host; null in journals from before pg500 recorded it. */
	operator: string | null;
	tool: ToolInfo;
	startedAt: string;
	/** The last event of this part. */
	lastAt: string;
	/** How it ended, when it could say so; undefined: it was cut off (a dropped link, kill -9) or is still going. */
	endedBy?: SessionEnding;
	/** A resumed part: the step that was running when the part before it stopped. */
	interruptedStep?: string;
}

export interface RunState {
	runbook: Runbook;
	tool?: ToolInfo;
	target?: TargetInfo;
	startedAt?: string;
	finishedAt?: string;
	/** Main steps and fix follow-ups, by id (`fix-id/query-id` for follow-ups). */
	steps: Record<string, StepState>;
	/** Main steps in the order they were started. */
	visited: string[];
	chosenFix?: {id: string; by: 'operator' | 'auto'; at: string};
	/**
	 * The incident as it stood when the fix was chosen: the main steps then.
	 * Causes and the verdict are judged on it; what is observed later
	 * (re-runs, verifications) never rewrites it.
	 */
	diagnosis?: {at: string; steps: Record<string, StepState>};
	/** The role pg500 is connected as, when the operator reconnected as another one (never a password). */
	connectedAs?: TargetInfo;
	/** Every reconnection as another role or back (never a password), oldest first: the incident's timeline says who acted as whom. */
	switches: {at: string; target: TargetInfo; why: string}[];
	/** Per fix, the connected role's permission for each action target, as last checked. */
	permissions: Record<string, ActionPermission[]>;
	/** Every action answered at a confirmation, in order. */
	actions: ActionRecord[];
	verifications: Verification[];
	exports: {path: string; format: string; at: string}[];
	/** Who ran the session and from where, part by part; the first part starts with run-started. */
	sessions: SessionPart[];
	/** Set once anything was watched or a moment happened that a watched series would mark. */
	watch?: WatchSeries;
	/** The last `pg500 resume` of this session: results from before it are old. */
	resumedAt?: string;
	/** How the session ended, when it did and was not resumed since. */
	endedBy?: SessionEnding;
}

export interface RankedCause {
	id: string;
	title: string;
	symptom: string;
	likelihood: Likelihood;
	score: number;
	/** `step id: finding message` lines, strongest first. */
	evidence: string[];
	/** The findings behind the evidence, strongest first. */
	findings: Finding[];
	fixId: string;
	fix: string;
}

/** Where the run goes next. */
export type NextMove =
	| {kind: 'step'; stepId: string}
	| {kind: 'fix'; fixId: string}
	| {kind: 'choose-fix'; recommended?: string; options: string[]}
	| {kind: 'end'};
