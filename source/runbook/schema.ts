import { z } from 'zod';
import {actionTargets} from './names.ts';

export {actionTargetColumn, actionTargets, isTargetRef, targetFields, type ActionTarget} from './names.ts';

/* The runbook file format. This zod schema is the single source of truth:
 * the loader validates with it, the types are inferred from it, and
 * runbooks/runbook.schema.json (editor completion) is generated from it. */

const id = z
	.string()
	.regex(/^[a-z][a-z0-9-]*$/, 'an id is lower-case letters, digits and dashes, starting with a letter');

/** A literal, or `$name` naming one of the runbook's thresholds. */
const operand = z.union([z.number(), z.string(), z.boolean(), z.null()]);

/** Checked when loading, so that a bad pattern is a located error and not a crash mid-run. */
function isRegExp(pattern: string): boolean {
	try {
		new RegExp(pattern);
		return true;
	} catch {
		return false;
	}
}

const comparison = z
	.object({
		column: z.string().min(1).describe('result column to compare'),
		gt: operand.optional(),
		gte: operand.optional(),
		lt: operand.optional(),
		lte: operand.optional(),
		eq: operand.optional(),
		ne: operand.optional(),
		matches: z.string().refine(isRegExp, 'not a valid regular expression').optional().describe('regular expression the value must match'),
	})
	.strict()
	.refine(
		c => ['gt', 'gte', 'lt', 'lte', 'eq', 'ne', 'matches'].some(op => op in c),
		'a comparison needs one of gt, gte, lt, lte, eq, ne, matches',
	);

const rowCount = z
	.object({
		rows: z
			.object({gt: operand.optional(), gte: operand.optional(), lt: operand.optional(), lte: operand.optional(), eq: operand.optional()})
			.strict()
			// An empty `rows: {}` would hold for every result.
			.refine(r => Object.keys(r).length > 0, 'rows needs one of gt, gte, lt, lte, eq'),
	})
	.strict();

export type Condition =
	| z.infer<typeof comparison>
	| z.infer<typeof rowCount>
	| {all: Condition[]}
	| {any: Condition[]};

export const condition: z.ZodType<Condition> = z
	.lazy(() =>
		z.union([
			comparison,
			rowCount,
			z.object({all: z.array(condition).min(1)}).strict(),
			z.object({any: z.array(condition).min(1)}).strict(),
		]),
	)
	// Names the recursive definition in the generated JSON Schema ($defs/condition).
	.meta({id: 'condition'});

/**
 * What a rule measures, for the before → after of a verification: a column of
 * the first row (per: result), else how many rows the rule flags.
 */
const figure = z
	.object({
		name: z.string().min(1).describe('what the figure is called on screen and in the report ("waiting ≥ 1 s")'),
		column: z.string().min(1).optional().describe('per: result rules: the column whose value is the figure (default: how many rows the rule flags)'),
	})
	.strict();

const rule = z
	.object({
		id,
		message: z.string().min(1).describe('finding text; {column}, {column:ident} (quoted as an SQL identifier), {column:literal}, {$threshold} and {@step-id.column} (what an earlier step saw) are filled in'),
		brief: z
			.string()
			.min(1)
			.optional()
			.describe('the finding in a few words with its figures, for the summary and the timeline (no query text); same placeholders as message; default: the message, cut short'),
		figure: figure.optional().describe('what a verification compares before and after an action'),
		per: z
			.enum(['row', 'result'])
			.default('row')
			.describe('row: one finding per matching row (capped); result: one finding for the whole result'),
		critical: condition.optional(),
		warning: condition.optional(),
		info: condition.optional(),
	})
	.strict()
	.refine(r => r.critical || r.warning || r.info, 'a rule needs a critical, warning or info condition');

const versionedQuery = z
	.object({
		min: z.number().int().optional().describe('lowest server major version (inclusive)'),
		max: z.number().int().optional().describe('highest server major version (inclusive)'),
		sql: z.string().min(1),
	})
	.strict();

const query = z.union([z.string().min(1), z.array(versionedQuery).min(1)]);

const findingRef = z.string().regex(/^[a-z][a-z0-9-/]*\.[a-z][a-z0-9-]*$/, 'a finding is named step-id.rule-id');

const branchCondition = z.union([
	z
		.object({
			finding: findingRef,
			atLeast: z.enum(['info', 'warning', 'critical']).default('warning'),
		})
		.strict(),
	z.object({step: id, status: z.array(z.enum(['ok', 'warning', 'critical', 'error', 'skipped', 'manual'])).min(1)}).strict(),
]);

const branch = z.object({if: branchCondition, goto: z.string().min(1)}).strict();

const command = z
	.object({title: z.string().min(1), run: z.string().min(1)})
	.strict()
	.describe('a command shown to the operator; never run by the tool itself');

/* How the screen shows a step's result rows (the report always has every
 * column). At 80 columns a table of every column is unreadable: the runbook
 * names the columns that matter and the shape that fits the data; every
 * column of a row is one key away (→, the row's detail). */
export const displayModes = ['record', 'table', 'tree', 'transposed'] as const;

const display = z
	.object({
		as: z
			.enum(displayModes)
			.optional()
			.describe(
				'record: one line per column (the default for a one-row result); table: one line per row (the default for several); tree: rows nested under their parent (name node and parent); transposed: one line per column and one column per row, for a few rows with many columns (settings per role)',
			),
		key: z.array(z.string().min(1)).min(1).optional().describe('the columns that matter most, in order: the ones shown in the table or record (default: columns, else all)'),
		node: z.string().min(1).optional().describe('tree: the column that names each row (e.g. pid), always shown whole'),
		parent: z.string().min(1).optional().describe('tree: the column naming the row this one hangs under; empty or null for a root'),
		label: z.string().min(1).optional().describe('transposed: the column whose values head the columns (default: the first)'),
	})
	.strict()
	.superRefine((d, ctx) => {
		if (d.as === 'tree' && (!d.node || !d.parent)) ctx.addIssue({code: 'custom', message: 'a tree needs node and parent (the columns that link a row to its parent)', path: ['as']});
		if (d.as !== 'tree' && (d.node || d.parent)) ctx.addIssue({code: 'custom', message: 'node and parent are for as: tree', path: [d.node ? 'node' : 'parent']});
		if (d.as !== 'transposed' && d.label) ctx.addIssue({code: 'custom', message: 'label is for as: transposed', path: ['label']});
	})
	.describe('how the screen shows the result rows: their shape and the columns that matter (the report shows every column)');

export const privileges = ['superuser', 'pg_monitor', 'pg_read_all_stats', 'pg_read_server_files'] as const;
export type Privilege = (typeof privileges)[number];

export const stepKinds = ['connect', 'sql', 'log', 'pgbouncer', 'manual', 'info'] as const;

/**
 * Findings the tool itself makes on whatever step it is running, named
 * `*.id` in a cause's evidence: `target-lost`, the target went away during
 * the run and could not be reached again; `pooler-lost`, a pooler in front
 * of it stopped serving pg500 (its pool saturated) during the run.
 */
export const executorFindings = ['target-lost', 'pooler-lost'] as const;


const stepFields = {
	id,
	title: z.string().min(1),
	why: z.string().min(1).describe('what a newcomer needs to understand the step, and what normal looks like'),
	kind: z.enum(stepKinds),
	query: query.optional(),
	source: z.enum(['server-log', 'postgres-log']).optional().describe('for log steps: which log'),
	needs: z
		.array(z.enum(privileges))
		.optional()
		.describe('what the role must have to see everything this step looks at; without it the step says so and shows the GRANT'),
	columns: z.array(z.string()).optional().describe('result columns to show, in order (default: all)'),
	brief: z
		.string()
		.min(1)
		.optional()
		.describe('the key figures of a result, from its first row, for the timeline ("{used} of {usable} slots in use"); {column}, {$threshold}, {@step-id.column}'),
	display: display.optional(),
	rules: z.array(rule).default([]),
	instructions: z.array(z.string()).optional().describe('what the operator does (manual and info steps)'),
	commands: z.array(command).optional(),
	next: z.array(branch).optional().describe('first matching branch wins; otherwise the following step'),
};

function requireQuery(s: {kind: string; query?: unknown; source?: unknown}, ctx: z.RefinementCtx) {
	if (s.kind === 'sql' && !s.query) ctx.addIssue({code: 'custom', message: 'a sql step needs a query', path: ['query']});
	if (s.kind === 'log' && !s.source) ctx.addIssue({code: 'custom', message: 'a log step needs a source', path: ['source']});
	if (s.kind !== 'sql' && s.kind !== 'connect' && s.query)
		ctx.addIssue({code: 'custom', message: `a ${s.kind} step has no query`, path: ['query']});
}

const step = z.object(stepFields).strict().superRefine(requireQuery);

const followUp = z
	.object({...stepFields, kind: z.enum(['sql', 'manual', 'info']).default('sql'), why: z.string().min(1)})
	.omit({next: true})
	.strict()
	.superRefine(requireQuery);

const cause = z
	.object({
		id,
		title: z.string().min(1),
		symptom: z.string().min(1),
		check: z.string().min(1),
		fix: id.describe('the fix to follow for this cause'),
		evidence: z
			.array(
				z
					.object({
						finding: z.string().min(1).describe('step-id.rule-id, or *.rule-id for a finding of any step'),
						weight: z.number().min(0).max(1),
					})
					.strict(),
			)
			.default([]),
	})
	.strict();

/**
 * An action pg500 can take for the operator: SQL bound to the rows of a
 * finding, shown with its values and run only after the operator types yes.
 */
const guardedAction = z
	.object({
		id,
		title: z.string().min(1).describe('what it does, whatever it finds ({$threshold}, {@step.column}); each target is shown with its touches'),
		finding: findingRef.describe('the evidence: each result row that made this finding (warning or worse) is a target'),
		when: condition.optional().describe('only the rows where this holds too'),
		target: z
			.enum(actionTargets)
			.describe(
				'session: the row\'s pid, only while backend_start (and xact_start, query_start when the row has them) are as seen; role: ALTER ROLE of the row\'s role; database: ALTER DATABASE of the row\'s database',
			),
		sql: query.describe('run once per target row in its own READ WRITE transaction: {column}, {column:ident}, {column:literal}'),
		touches: z.string().min(1).optional().describe('what it touches, per target row (shown at the confirmation)'),
	})
	.strict();

const fix = z
	.object({
		id,
		title: z.string().min(1),
		summary: z.string().min(1).describe('one paragraph: what fixes it; {@step.column} and {@target.host|port|database|user} are filled in'),
		actions: z
			.array(z.union([z.string(), guardedAction]))
			.min(1)
			.describe('what to do, in order: prose for the operator, or an action pg500 takes once the operator confirms it'),
		queries: z.array(followUp).default([]).describe('follow-up checks run live when this fix is chosen'),
		commands: z.array(command).default([]),
	})
	.strict();

export const runbookSchema = z
	.object({
		id,
		title: z.string().min(1),
		version: z.string().default('1'),
		description: z.string().optional(),
		thresholds: z
			.record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'a threshold name is snake_case'), z.number())
			.default({}),
		steps: z.array(step).min(1),
		causes: z.array(cause).min(1),
		fixes: z.array(fix).default([]),
		elsewhere: z
			.string()
			.min(1)
			.optional()
			.describe('where to look next when the runbook finds no likely cause (the database looks healthy)'),
	})
	.strict();

export type RunbookInput = z.input<typeof runbookSchema>;
export type Runbook = z.output<typeof runbookSchema> & {path: string};
export type Step = z.output<typeof step>;
export type FollowUp = z.output<typeof followUp>;
export type Rule = z.output<typeof rule>;
export type Cause = z.output<typeof cause>;
export type Fix = z.output<typeof fix>;
export type GuardedAction = z.output<typeof guardedAction>;
export type Figure = z.output<typeof figure>;
export type Branch = z.output<typeof branch>;
export type BranchCondition = z.output<typeof branchCondition>;
export type StepKind = (typeof stepKinds)[number];
export type Display = z.output<typeof display>;
/** A step of the main list or a fix's follow-up check: what the executor runs. */
export type RunnableStep = Step | (FollowUp & {next?: undefined});
