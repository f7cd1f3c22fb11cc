import type {Finding, RunState} from '../engine/types.ts';

/* Reports and journals leave the operator's machine (tickets, chat, post-mortems).
 * Passwords are removed always; with `redactLiterals` the literals in query
 * text (customer keys, ids, amounts) are replaced with `?` as well. */

export interface RedactOptions {
	/** Replace string and numeric literals in query text with `?`. */
	redactLiterals?: boolean;
}

export const redacted = '***';

// scheme://user:password@  →  scheme://user:***@
const urlPassword = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@'"]*:)[^\s@/'"]*@/gi;
// password=secret, PGPASSWORD='a b', passwd = "x"
const keyValuePassword = /\b(\w*(?:password|passwd)\s*=\s*)('[^']*'?|"[^"]*"?|[^\s&;,'"]+)/gi;
// ALTER ROLE app PASSWORD 'secret' (query text seen in pg_stat_activity)
const sqlPassword = /\b(password\s+E?)'(?:[^']|'')*'?/gi;

/** Removes passwords from any text: connection URLs, key=value pairs, SQL `PASSWORD '…'`. */
export function redactSecrets(text: string): string {
	// Most strings carry neither: skip the three scans for them.
	if (!/pass|:\/\//i.test(text)) return text;
	return text
		.replace(urlPassword, `$1${redacted}@`)
		.replace(keyValuePassword, `$1${redacted}`)
		.replace(sqlPassword, `$1'${redacted}'`);
}

const secretKey = /^(?:pg)?(?:password|passwd)$/i;
/** Columns holding query text: `query`, and the runbook's `root_query`, `last_query`, `oldest_idle_in_tx_query`… */
const queryKey = /(?:^|_)query$/;

/**
 * Replaces every string and numeric literal of SQL text with `?`, leaving
 * identifiers, keywords, `$1` parameters and casts alone. Query text in the
 * report is truncated, so an unterminated literal runs to the end.
 */
export function redactSqlLiterals(sql: string): string {
	let out = '';
	let i = 0;
	while (i < sql.length) {
		const rest = sql.slice(i);
		const token =
			/^"(?:[^"]|"")*"?/.exec(rest) ?? // quoted identifier: kept
			/^--[^\n]*/.exec(rest) ?? // comments: kept
			/^\/\*[\s\S]*?(?:\*\/|$)/.exec(rest) ??
			/^\$\d+/.exec(rest) ?? // parameter: kept
			/^[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*/.exec(rest); // identifier or keyword: kept
		if (token) {
			// E'…', B'…', X'…', U&'…' prefixes are literals, not identifiers.
			if (/^(?:[EeBbXxNn]|[Uu]&)$/.test(token[0]) && sql[i + token[0].length] === "'") {
				i += token[0].length;
				continue;
			}
			out += token[0];
			i += token[0].length;
			continue;
		}
		const literal =
			/^'(?:[^'\\]|''|\\.)*(?:'|$)/.exec(rest) ?? // standard and E'' strings (backslash escapes tolerated)
			/^\$([A-Za-z_]\w*)?\$[\s\S]*?(?:\$\1\$|$)/.exec(rest) ?? // dollar quoting
			/^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(rest); // numbers
		if (literal) {
			out += '?';
			i += literal[0].length;
			continue;
		}
		out += sql[i];
		i += 1;
	}
	return out;
}

/**
 * A deep copy of any JSON-like value with every string passed through
 * redactSecrets; values under a password-like key become `***`, and with
 * `redactLiterals` strings under a query-text key lose their literals.
 */
export function redactValue<T>(value: T, options: RedactOptions = {}, key?: string): T {
	if (typeof value === 'string') {
		if (key !== undefined && secretKey.test(key)) return redacted as T;
		const safe = redactSecrets(value);
		return (options.redactLiterals && key !== undefined && queryKey.test(key) ? redactSqlLiterals(safe) : safe) as T;
	}
	if (Array.isArray(value)) return value.map(item => redactValue(item, options, key)) as T;
	if (value !== null && typeof value === 'object') {
		const out: Record<string, unknown> = {};
		for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, options, k);
		return out as T;
	}
	return value;
}

/**
 * A finding's message was filled from its evidence row, so query text shows
 * up inside it too: the same text is replaced there as in the row.
 */
function withoutMessageLiterals(finding: Finding): Finding {
	let message = finding.message;
	for (const [key, value] of Object.entries(finding.evidence))
		if (queryKey.test(key) && typeof value === 'string' && value !== '') message = message.split(value).join(redactSqlLiterals(value));
	return {...finding, message};
}

/** The state a report is rendered from: passwords gone everywhere, and query literals on request. */
export function redactState(state: RunState, options: RedactOptions = {}): RunState {
	if (!options.redactLiterals) return redactValue(state);
	const clean = (from: RunState['steps']) => {
		const steps: RunState['steps'] = {};
		for (const [id, step] of Object.entries(from)) steps[id] = {...step, findings: step.findings.map(withoutMessageLiterals)};
		return steps;
	};
	const diagnosis = state.diagnosis && {...state.diagnosis, steps: clean(state.diagnosis.steps)};
	return redactValue({...state, steps: clean(state.steps), diagnosis}, options);
}
