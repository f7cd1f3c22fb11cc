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
