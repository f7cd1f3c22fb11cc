import {LineCounter, parseDocument, isMap, isNode, isScalar, type Document} from 'yaml';
import {escapeUntrusted} from '../text/escape.ts';
import {runbookSchema, type Runbook} from './schema.ts';
import {checkGraph} from './graph.ts';
import {readOnlyProblems} from './read-only.ts';
import {RunbookError, type RunbookProblem} from './runbook-error.ts';

/* Parsing and validating runbook text: the YAML parser and zod are the
 * heaviest part of start-up, so the built-in runbook skips them (see
 * default-runbook.ts) and this module is loaded only for other files. */

/** Parses and validates runbook text; every problem is reported with its position. */
export function parseRunbook(text: string, file: string): Runbook {
	const lineCounter = new LineCounter();
	const doc = parseDocument(text, {lineCounter, prettyErrors: false, uniqueKeys: true});
	const at = (offset: number, message: string): RunbookProblem => {
		const {line, col} = lineCounter.linePos(offset);
		return {file, line, col, message};
	};

	// Only the first syntax error: the ones after it are mostly the parser losing its footing.
	const syntax = doc.errors[0];
	if (syntax) {
		const message = syntax.code === 'MULTIPLE_DOCS' ? 'a runbook is one YAML document; this file has several (---)' : syntax.message.split('\n')[0]!;
		throw new RunbookError([at(syntax.pos[0], message)]);
	}
	if (doc.contents === null) throw new RunbookError([at(0, 'the runbook is empty')]);

	let data: unknown;
	try {
		data = doc.toJS();
	} catch (error) {
		// e.g. an alias expanding past yaml's limit (a "billion laughs" file).
		throw new RunbookError([at(0, (error as Error).message)]);
	}
	const parsed = runbookSchema.safeParse(data);
	if (!parsed.success) {
		throw new RunbookError(
			parsed.error.issues.flatMap(issue => unfoldUnion(issue, [])).map(issue => {
				// An unknown key is pointed at itself, not at the start of the map holding it.
				const offset = issue.code === 'unrecognized_keys' ? offsetOfKey(doc, issue.path, issue.keys![0]!) : offsetOf(doc, issue.path);
				return at(offset, describeIssue(issue));
			}),
		);
	}
	const graphProblems = checkGraph(parsed.data);
	if (graphProblems.length > 0)
		throw new RunbookError(graphProblems.map(p => at(offsetOf(doc, p.path), p.message)));
	const sqlProblems = readOnlyProblems(parsed.data);
	if (sqlProblems.length > 0)
		throw new RunbookError(sqlProblems.map(p => at(offsetInScalar(text, doc, p.path, p.sql, p.offset, p.length), p.message)));
	return {...escapeText(parsed.data), path: file};
}

/** Keys whose strings are code, not prose: SQL (checked above) and regular expressions stay as written. */
const codeKeys = new Set(['query', 'sql', 'matches']);

/**
 * A runbook may come from anyone (a colleague's gist, a journal): its prose —
 * titles, why, messages, instructions, commands — reaches the screen and the
 * reports with every control and invisible character escaped. Line breaks stay.
 */
function escapeText<T>(value: T, key?: string): T {
	if (typeof value === 'string') return (key !== undefined && codeKeys.has(key) ? value : escapeUntrusted(value, {keepNewlines: true})) as T;
	if (Array.isArray(value)) return value.map(item => escapeText(item, key)) as T;
	if (value !== null && typeof value === 'object') {
		const out: Record<string, unknown> = {};
		for (const [k, v] of Object.entries(value)) out[k] = escapeText(v, k);
		return out as T;
	}
	return value;
}

/**
 * Where a piece of a SQL scalar is in the file. The scalar's value and its
 * source differ by indentation, folding and quoting, but a token is written
 * the same in both: the n-th occurrence of the token in the value is the
 * n-th in the scalar's source.
 */
function offsetInScalar(text: string, doc: Document, path: (string | number)[], sql: string, offset: number, length: number): number {
	const node = doc.getIn(path, true);
	if (!isNode(node) || !node.range) return offsetOf(doc, path);
	const token = sql.slice(offset, offset + Math.max(1, length));
	let nth = 0;
	for (let k = sql.indexOf(token); k >= 0 && k < offset; k = sql.indexOf(token, k + 1)) nth++;
	const [start, , end] = node.range;
	let at = text.indexOf(token, start);
	for (let k = 0; k < nth && at >= 0; k++) at = text.indexOf(token, at + 1);
	return at >= 0 && at < end ? at : start;
}

interface Issue {
	code: string;
	message: string;
	path: (string | number)[];
	keys?: string[];
	expected?: string;
	errors?: Issue[][];
}

/**
 * zod says only "Invalid input" when no alternative of a union fits (a
 * condition, an operand). Say instead what is wrong with the alternative that
 * came closest, at its own place; or, when none came close, what was expected.
 */
function unfoldUnion(raw: unknown, base: (string | number)[]): Issue[] {
	const issue = raw as Issue;
	const path = [...base, ...issue.path];
	if (issue.code !== 'invalid_union' || !issue.errors?.length) return [{...issue, path}];
	const atRoot = (branch: Issue[]) => branch.every(i => i.path.length === 0 && i.code === 'invalid_type');
	if (issue.errors.every(atRoot)) {
		const expected = [...new Set(issue.errors.flat().map(i => i.expected))];
		const list = expected.length > 1 ? `${expected.slice(0, -1).join(', ')} or ${expected.at(-1)}` : expected[0];
		return [{...issue, path, message: `expected ${list}`}];
	}
	const closest = issue.errors.filter(b => !atRoot(b)).reduce((best, b) => (b.length < best.length ? b : best));
	return closest.flatMap(i => unfoldUnion(i, path));
}

function describeIssue(issue: Issue): string {
	const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
	if (issue.code === 'unrecognized_keys' && issue.keys) return `${where}unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map(k => `"${k}"`).join(', ')}`;
	// zod does not carry the input in its issues; a missing key reads "… received undefined".
	if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined') && issue.path.length > 0) {
		const parent = issue.path.slice(0, -1);
		return `${parent.length > 0 ? `${parent.join('.')}: ` : ''}missing "${issue.path.at(-1)}"`;
	}
	return `${where}${issue.message}`;
}

function offsetOfKey(doc: Document, mapPath: (string | number)[], key: string): number {
	const map = mapPath.length === 0 ? doc.contents : doc.getIn(mapPath, true);
	if (isMap(map)) {
		const pair = map.items.find(p => isScalar(p.key) && String(p.key.value) === key);
		if (pair && isNode(pair.key) && pair.key.range) return pair.key.range[0];
	}
	return offsetOf(doc, mapPath);
}

/** The source offset of the deepest node on `path` that exists in the document. */
function offsetOf(doc: Document, fullPath: (string | number)[]): number {
	for (let n = fullPath.length; n >= 0; n--) {
		const node = n === 0 ? doc.contents : doc.getIn(fullPath.slice(0, n), true);
		if (isNode(node) && node.range) return node.range[0];
	}
	return 0;
}
