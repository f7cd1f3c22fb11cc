import {fileProblem} from '../files/file-problem.ts';
import {readRegularFile} from '../files/read-regular-file.ts';
import type {Runbook} from './schema.ts';
import {RunbookError} from './runbook-error.ts';
import {defaultRunbookName, prebuiltDefaultRunbook, prebuiltIfDefault, readDefaultRunbook} from './default-runbook.ts';

export {RunbookError, formatProblem, type RunbookProblem} from './runbook-error.ts';

/** Loads the runbook at `file`, or the shipped default when no file is given. */
export async function loadRunbook(file?: string): Promise<Runbook> {
	if (file === undefined) return prebuiltDefaultRunbook() ?? parse(readDefaultRunbook(), defaultRunbookName);
	let text: string;
	try {
		text = readRunbookFile(file);
	} catch (error) {
		throw new RunbookError([{file, line: 1, col: 1, message: `cannot read runbook: ${fileProblem(error)}`}]);
	}
	// The built-in runbook's own file (e.g. `pg500 validate runbooks/postgres-500.yaml`) was validated by the build.
	return prebuiltIfDefault(text, file) ?? parse(text, file);
}

/** Far more than any runbook needs (the default is ~50 KB); a larger file is a mistake or an attack. */
const maxRunbookBytes = 4 * 1024 * 1024;

/** A runbook file's text: a regular file (a FIFO would hang the tool), at most maxRunbookBytes. */
export function readRunbookFile(file: string): string {
	return readRegularFile(file, maxRunbookBytes, 'runbook');
}

async function parse(text: string, name: string): Promise<Runbook> {
	const {parseRunbook} = await import('./parse.ts');
	return parseRunbook(text, name);
}
