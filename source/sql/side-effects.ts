import {unsafeCharacters} from '../text/escape.ts';
import {lex, type Token} from './tokens.ts';

/* What a check may not do. Every check runs in a READ ONLY transaction that
 * is rolled back, which stops writes to tables — but not a signal to another
 * backend, a file written by COPY, a session-level advisory lock, a setting
 * changed, statistics reset, a WAL switch, a COMMIT that ends the read-only
 * transaction, or SQL sent over dblink. So a runbook's SQL is read here, by
 * the server's lexical rules, and anything that could act on the database is
 * a located problem. It is conservative: what it cannot read for sure
 * (Unicode-escaped names, a backslash whose meaning depends on a setting,
 * SQL built at run time) is refused too; a fix's confirmed actions are the
 * place for SQL that acts.
 *
 * No full SQL parser fits here: pgsql-ast-parser (pure JavaScript) cannot
 * parse 4 of the 14 queries of the default runbook (FILTER, LATERAL, …) and
 * libpg-query is WebAssembly, which the one-file bundle does not carry. */

export interface SqlProblem {
	/** Offset in the SQL text of what is wrong, and its length (for pointing at it). */
	offset: number;
	length: number;
	message: string;
}

/** What a statement may start with: it reads. */
const readingStatements = new Set(['select', 'with', 'values', 'table', 'show', 'explain']);

/** Why a statement that is not a read is refused, by its first word. */
const statementReasons: Record<string, string> = {
	copy: 'COPY can write files on the server or run programs there',
	lock: 'LOCK takes table locks that block the application',
	prepare: 'PREPARE creates a named prepared statement that outlives the check (and breaks PgBouncer in transaction mode)',
	execute: 'EXECUTE runs a prepared statement pg500 cannot see',
	deallocate: 'DEALLOCATE changes the session',
	set: 'SET changes settings (the check runs with the settings pg500 chose)',
	reset: 'RESET changes settings',
	begin: 'BEGIN changes the transaction the check runs in',
	start: 'START TRANSACTION changes the transaction the check runs in',
	commit: 'COMMIT ends the read-only transaction the check runs in',
	end: 'END commits the read-only transaction the check runs in',
	rollback: 'ROLLBACK ends the read-only transaction the check runs in',
	abort: 'ABORT ends the read-only transaction the check runs in',
	savepoint: 'SAVEPOINT changes the transaction the check runs in',
	release: 'RELEASE changes the transaction the check runs in',
	checkpoint: 'CHECKPOINT forces a checkpoint: a burst of writes on a server already in trouble',
	analyze: 'ANALYZE rewrites statistics and takes locks',
	analyse: 'ANALYSE rewrites statistics and takes locks',
	vacuum: 'VACUUM is maintenance that writes and takes locks',
	cluster: 'CLUSTER rewrites a table under an exclusive lock',
	reindex: 'REINDEX rebuilds indexes under locks',
	refresh: 'REFRESH MATERIALIZED VIEW rewrites a view under a lock',
	notify: 'NOTIFY sends a notification to listening sessions',
	listen: 'LISTEN changes the session',
	unlisten: 'UNLISTEN changes the session',
	discard: 'DISCARD resets the session',
	do: 'DO runs procedural code pg500 cannot check',
	call: 'CALL runs a procedure, which may commit and write',
	declare: 'DECLARE creates a cursor that can outlive the check',
	fetch: 'FETCH reads a cursor the check did not create',
	move: 'MOVE moves a cursor the check did not create',
	close: 'CLOSE closes a cursor the check did not create',
	load: 'LOAD loads a shared library into the server',
	security: 'SECURITY LABEL changes the schema',
};

const changesData = 'changes data or the schema';

/** Words that change data, take row locks or run a statement wherever they appear. */
const forbiddenWords: Record<string, string> = {
	insert: `INSERT ${changesData}`,
	update: `UPDATE ${changesData} (or, in FOR UPDATE, locks rows)`,
	delete: `DELETE ${changesData}`,
	merge: `MERGE ${changesData}`,
	truncate: `TRUNCATE ${changesData}`,
	into: 'SELECT … INTO creates a table',
	analyze: 'ANALYZE (in EXPLAIN ANALYZE too) runs the statement and rewrites statistics',
	analyse: 'ANALYSE (in EXPLAIN ANALYSE too) runs the statement and rewrites statistics',
};

const families = {
	signal: 'signals another server process',
	serverState: "changes the server's state for everyone",
	files: 'writes files or large objects on the server',
	remote: 'runs SQL over another connection, outside the read-only transaction',
	lock: 'takes an advisory lock (a session-level one outlives the check and can block the application)',
	settings: 'changes a setting',
	statistics: 'resets statistics the diagnosis, and others, rely on',
	wal: 'writes WAL or changes the backup state',
	replication: 'changes replication slots or origins (not undone by a rollback)',
	notify: 'sends a notification to listening sessions',
	sequence: 'advances a sequence (not undone by a rollback)',
	xid: 'assigns a transaction id (writes to the server)',
	index: 'changes an index',
} as const;

/** Functions with side effects, by exact name. */
const functionReasons: Record<string, string> = {
	pg_terminate_backend: families.signal,
	pg_cancel_backend: families.signal,
	pg_signal_backend: families.signal,
	pg_log_backend_memory_contexts: families.signal,
	pg_reload_conf: families.serverState,
	pg_rotate_logfile: families.serverState,
	pg_rotate_logfile_old: families.serverState,
	pg_promote: families.serverState,
	pg_wal_replay_pause: families.serverState,
	pg_wal_replay_resume: families.serverState,
	pg_xlog_replay_pause: families.serverState,
	pg_xlog_replay_resume: families.serverState,
	pg_import_system_collations: families.serverState,
	pg_file_write: families.files,
	pg_file_rename: families.files,
	pg_file_unlink: families.files,
	pg_file_sync: families.files,
	lowrite: families.files,
	set_config: families.settings,
	pg_stat_statements_reset: families.statistics,
	pg_switch_wal: families.wal,
	pg_switch_xlog: families.wal,
	pg_create_restore_point: families.wal,
	pg_start_backup: families.wal,
	pg_stop_backup: families.wal,
	pg_backup_start: families.wal,
	pg_backup_stop: families.wal,
	pg_logical_emit_message: families.wal,
	pg_drop_replication_slot: families.replication,
	pg_replication_slot_advance: families.replication,
	pg_logical_slot_get_changes: families.replication,
	pg_logical_slot_get_binary_changes: families.replication,
	pg_notify: families.notify,
	nextval: families.sequence,
	setval: families.sequence,
	txid_current: families.xid,
	pg_current_xact_id: families.xid,
	gin_clean_pending_list: families.index,
	brin_summarize_new_values: families.index,
	brin_summarize_range: families.index,
	brin_desummarize_range: families.index,
	pg_truncate_visibility_map: families.index,
};

/** Functions with side effects, by the start of their name (whole families, present and future). */
const functionPrefixes: [prefix: string, reason: string][] = [
	['pg_stat_reset', families.statistics],
	['pg_advisory', families.lock],
	['pg_try_advisory', families.lock],
	['dblink', families.remote],
	['lo_', families.files],
	['pg_replication_origin_', families.replication],
	['pg_create_', families.replication],
	['pg_copy_', families.replication],
];

/** Functions that run SQL given as text: which arguments are SQL (0-based). That SQL is checked like the rest. */
const sqlTextArguments: Record<string, number[]> = {
	query_to_xml: [0],
	query_to_xmlschema: [0],
	query_to_xml_and_xmlschema: [0],
	ts_stat: [0],
	crosstab: [0, 1],
	crosstab2: [0],
	crosstab3: [0],
	crosstab4: [0],
};

function functionReason(name: string): string | undefined {
	if (Object.hasOwn(functionReasons, name)) return functionReasons[name];
	return functionPrefixes.find(([prefix]) => name.startsWith(prefix))?.[1];
}

/** The name a token gives, if it can name something: a word, or a quoted identifier (exact). */
function nameOf(token: Token | undefined): string | undefined {
	if (!token) return undefined;
	if (token.kind === 'word') return token.value;
	if (token.kind === 'quoted-ident' && token.style === undefined) return token.value;
	return undefined;
}

/** The arguments of the call whose `(` is at `open`: token index ranges, split at top-level commas. */
function callArguments(tokens: Token[], open: number): {args: [number, number][]; close: number} {
	const args: [number, number][] = [];
	let depth = 0;
	let from = open + 1;
	for (let k = open; k < tokens.length; k++) {
		const t = tokens[k]!;
		if (t.kind !== 'punct') continue;
		if (t.text === '(' || t.text === '[') depth++;
		else if (t.text === ')' || t.text === ']') {
			depth--;
			if (depth === 0) {
				if (k > from || args.length > 0) args.push([from, k]);
				return {args, close: k};
			}
		} else if (t.text === ',' && depth === 1) {
			args.push([from, k]);
			from = k + 1;
		}
	}
	return {args, close: tokens.length};
}

const problemAt = (token: Token, message: string): SqlProblem => ({offset: token.start, length: token.end - token.start, message});

/**
 * Everything in `sql` that could change the database, the server or the
 * session, located. An empty list means the SQL only reads.
 */
export function sideEffects(sql: string): SqlProblem[] {
	const problems: SqlProblem[] = [];
	// Raw control and invisible characters: a person reviewing the runbook would not see what the server reads.
	for (const {offset, char} of unsafeCharacters(sql))
		if (!'\n\r\t'.includes(char))
			problems.push({offset, length: char.length, message: `an invisible or control character (U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}) in the SQL`});
	const {tokens, doubts} = lex(sql);
	for (const d of doubts) problems.push({offset: d.start, length: d.end - d.start, message: `${d.message}: pg500 cannot tell for sure what the server would run`});

	// Statements, split at top-level semicolons.
	const statements: Token[][] = [[]];
	for (const t of tokens) {
		if (t.kind === 'punct' && t.text === ';') statements.push([]);
		else statements.at(-1)!.push(t);
	}
	const nonEmpty = statements.filter(s => s.length > 0);
	if (nonEmpty.length > 1) problems.push(problemAt(nonEmpty[1]![0]!, 'a second statement: a check is one statement'));

	for (const statement of nonEmpty) {
		const first = statement.find(t => !(t.kind === 'punct' && t.text === '(')) ?? statement[0]!;
		const keyword = first.kind === 'word' ? first.value : undefined;
		if (!keyword || !readingStatements.has(keyword)) {
			const reason = keyword ? (statementReasons[keyword] ?? `${keyword.toUpperCase()} ${changesData}`) : `"${first.text}" does not start a query`;
			problems.push(problemAt(first, `${reason}; a check reads only (SELECT, WITH, VALUES, TABLE, SHOW)`));
			continue;
		}
		problems.push(...statementProblems(statement));
	}
	return problems.sort((a, b) => a.offset - b.offset);
}

function statementProblems(tokens: Token[]): SqlProblem[] {
	const problems: SqlProblem[] = [];
	for (let k = 0; k < tokens.length; k++) {
		const t = tokens[k]!;
		const before = tokens[k - 1];
		// `x.update` is a column, not the statement.
		const qualified = before?.kind === 'punct' && before.text === '.';
		if (t.kind === 'word' && !qualified && Object.hasOwn(forbiddenWords, t.value)) problems.push(problemAt(t, `${forbiddenWords[t.value]}; a check reads only`));
		if (t.kind === 'word' && t.value === 'share' && before?.kind === 'word' && (before.value === 'for' || before.value === 'key'))
			problems.push(problemAt(t, 'FOR SHARE locks rows; a check reads only'));

		const name = nameOf(t);
		const open = tokens[k + 1];
		if (name === undefined || open?.kind !== 'punct' || open.text !== '(') continue;
		const reason = functionReason(name);
		if (reason) {
			problems.push(problemAt(t, `${name}() ${reason}; a check reads only`));
			continue;
		}
		const sqlArgs = sqlTextArguments[name];
		if (!sqlArgs) continue;
		const {args} = callArguments(tokens, k + 1);
		for (const index of sqlArgs) {
			const range = args[index];
			const literal = range && range[1] - range[0] === 1 ? tokens[range[0]]! : undefined;
			if (!literal || literal.kind !== 'string' || (literal.style !== 'plain' && literal.style !== 'dollar')) {
				problems.push(problemAt(t, `${name}() runs the SQL it is given; pg500 checks it only when it is written out as a '…' string`));
				continue;
			}
			// The inner SQL is checked like the outer, and its problems pointed at in the outer text.
			for (const inner of sideEffects(literal.value)) {
				const start = literal.offsets![inner.offset] ?? literal.start;
				const end = literal.offsets![Math.min(inner.offset + inner.length, literal.value.length) - 1] ?? start;
				problems.push({offset: start, length: end + 1 - start, message: `in the SQL given to ${name}(): ${inner.message}`});
			}
		}
	}
	return problems;
}
