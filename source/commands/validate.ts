import {loadRunbook, RunbookError} from '../runbook/load.ts';
import {escapeUntrusted} from '../text/escape.ts';
import {writeStdout} from './stdout.ts';

/** `pg500 validate PATH...`: 0 when every file is valid, 3 otherwise. */
export async function validate(paths: string[]): Promise<number> {
	let failed = false;
	for (const file of paths) {
		try {
			const runbook = await loadRunbook(file);
			await writeStdout(`${escapeUntrusted(file)}: ok (${runbook.steps.length} steps, ${runbook.causes.length} causes, ${runbook.fixes.length} fixes)\n`);
		} catch (error) {
			if (!(error instanceof RunbookError)) throw error;
			failed = true;
			process.stderr.write(`${error.message}\n`);
		}
	}
	return failed ? 3 : 0;
}
