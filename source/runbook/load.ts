import {readFile} from 'node:fs/promises';
import {LineCounter, parseDocument, isNode, type Document} from 'yaml';
import {runbookSchema, type Runbook} from './schema.ts';
import {checkGraph} from './graph.ts';
import {defaultRunbookName, readDefaultRunbook} from './default-runbook.ts';

/** One problem in a runbook file, located for `file:line:col: message`. */
export interface RunbookProblem {
	file: string;
	line: number;
	col: number;
	message: string;
}

export class RunbookError extends Error {
	constructor(readonly problems: RunbookProblem[]) {
		super(problems.map(formatProblem).join('\n'));
		this.name = 'RunbookError';
	}
}

export function formatProblem(p: RunbookProblem): string {
	return `${p.file}:${p.line}:${p.col}: ${p.message}`;
}

/** Loads the runbook at `file`, or the shipped default when no file is given. */
export async function loadRunbook(file?: string): Promise<Runbook> {
	if (file === undefined) return parseRunbook(readDefaultRunbook(), defaultRunbookName);
	let text: string;
	try {
		text = await readFile(file, 'utf8');
	} catch (error) {
		const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
		throw new RunbookError([{file, line: 1, col: 1, message: `cannot read runbook: ${reason}`}]);
	}
	return parseRunbook(text, file);
}

/** Parses and validates runbook text; every problem is reported with its position. */
export function parseRunbook(text: string, file: string): Runbook {
	const lineCounter = new LineCounter();
	const doc = parseDocument(text, {lineCounter, prettyErrors: false, uniqueKeys: true});
	const at = (offset: number, message: string): RunbookProblem => {
		const {line, col} = lineCounter.linePos(offset);
		return {file, line, col, message};
	};

	if (doc.errors.length > 0) throw new RunbookError(doc.errors.map(e => at(e.pos[0], e.message.split('\n')[0]!)));
	if (doc.contents === null) throw new RunbookError([at(0, 'the runbook is empty')]);

	const data: unknown = doc.toJS();
	const parsed = runbookSchema.safeParse(data);
	if (!parsed.success) {
		throw new RunbookError(
			parsed.error.issues.map(issue => at(offsetOf(doc, issue.path as (string | number)[]), describeIssue(issue))),
		);
	}
	const graphProblems = checkGraph(parsed.data);
	if (graphProblems.length > 0)
		throw new RunbookError(graphProblems.map(p => at(offsetOf(doc, p.path), p.message)));
	return {...parsed.data, path: file};
}

function describeIssue(issue: {message: string; path: PropertyKey[]; code: string; keys?: string[]}): string {
	const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
	if (issue.code === 'unrecognized_keys' && issue.keys) return `${where}unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map(k => `"${k}"`).join(', ')}`;
	return `${where}${issue.message}`;
}

/** The source offset of the deepest node on `path` that exists in the document. */
function offsetOf(doc: Document, fullPath: (string | number)[]): number {
	for (let n = fullPath.length; n >= 0; n--) {
		const node = n === 0 ? doc.contents : doc.getIn(fullPath.slice(0, n), true);
		if (isNode(node) && node.range) return node.range[0];
	}
	return 0;
}
