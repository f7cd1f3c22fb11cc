import {escapeUntrusted} from '../text/escape.ts';

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

/** One located line. The message may quote the file (a key, a value): it is escaped, never printed raw. */
export function formatProblem(p: RunbookProblem): string {
	return escapeUntrusted(`${p.file}:${p.line}:${p.col}: ${p.message}`);
}
