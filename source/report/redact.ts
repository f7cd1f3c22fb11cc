import type {Finding, RunState} from '../engine/types.ts';
import {redactValue} from '../text/secrets.ts';

/* Reports leave the operator's machine (tickets, chat, post-mortems).
 * Passwords are removed always (text/secrets.ts); with `redactLiterals` the
 * literals in query text (customer keys, ids, amounts) are replaced with `?` as well. */

export interface RedactOptions {
	/** Replace string and numeric literals in query text with `?`. */
	redactLiterals?: boolean;
}

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
 * A finding's message (and brief) was filled from its evidence row, so query
 * text shows up inside it too: the same text is replaced there as in the row.
 */
function withoutMessageLiterals(finding: Finding): Finding {
	const clean = (text: string) => {
		for (const [key, value] of Object.entries(finding.evidence))
			if (queryKey.test(key) && typeof value === 'string' && value !== '') text = text.split(value).join(redactSqlLiterals(value));
		return text;
	};
	return {...finding, message: clean(finding.message), ...(finding.brief === undefined ? {} : {brief: clean(finding.brief)})};
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
	return redactValue({...state, steps: clean(state.steps), diagnosis}, (text, key) => (key !== undefined && queryKey.test(key) ? redactSqlLiterals(text) : text));
}
