import {readFile} from 'node:fs/promises';
import type {Runbook} from './schema.ts';
import {RunbookError} from './runbook-error.ts';
import {defaultRunbookName, prebuiltDefaultRunbook, prebuiltIfDefault, readDefaultRunbook} from './default-runbook.ts';

export {RunbookError, formatProblem, type RunbookProblem} from './runbook-error.ts';

/** Loads the runbook at `file`, or the shipped default when no file is given. */
export async function loadRunbook(file?: string): Promise<Runbook> {
	if (file === undefined) return prebuiltDefaultRunbook() ?? parse(readDefaultRunbook(), defaultRunbookName);
	let text: string;
	try {
		text = await readFile(file, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
		throw new RunbookError([{file, line: 1, col: 1, message: `cannot read runbook: ${reason}`}]);
	}
	// The built-in runbook's own file (e.g. `pg500 validate runbooks/postgres-500.yaml`) was validated by the build.
	return prebuiltIfDefault(text, file) ?? parse(text, file);
}

async function parse(text: string, name: string): Promise<Runbook> {
	const {parseRunbook} = await import('./parse.ts');
	return parseRunbook(text, name);
}
