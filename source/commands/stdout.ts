import {fileProblem} from '../files/file-problem.ts';
import {UsageError} from '../errors.ts';

/* Standard output is where reports go by default, and it fails in two ways
 * that are not alike. A reader that stops reading (`pg500 run | head`,
 * `| true`) closes the pipe: that is its right, not an error of pg500, so
 * the command ends quietly with its verdict. A full disk or an I/O error
 * (`> /dev/full`) means the report was not written: one line, exit 3. */

let listening = false;

/** Write errors reach the callers of writeStdout; without a listener they would also crash the process with a stack trace. */
export function catchStdoutErrors(): void {
	if (listening) return;
	listening = true;
	process.stdout.on('error', () => {});
}

/** Writes `text` whole; 'closed' when the reader went away (EPIPE). Throws a UsageError (exit 3) for any other failure. */
export function writeStdout(text: string): Promise<'written' | 'closed'> {
	catchStdoutErrors();
	return new Promise((resolve, reject) => {
		process.stdout.write(text, error => {
			if (!error) resolve('written');
			else if ((error as NodeJS.ErrnoException).code === 'EPIPE') resolve('closed');
			else reject(new UsageError(`cannot write to standard output: ${fileProblem(error)}`));
		});
	});
}
