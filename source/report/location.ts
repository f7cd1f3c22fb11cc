import os from 'node:os';
import path from 'node:path';

/** Where the full report of a journaled session is when none was written: the command that renders it. */
export function renderCommand(journal: string): string {
	return `pg500 report ${journal} --format html`;
}

/**
 * Where a report file is, for the summary's last line: `host:/absolute/path`,
 * as scp takes it — the summary is read in a chat, far from the machine.
 */
export function reportLocation(file: string): string {
	return `${os.hostname()}:${path.resolve(file)}`;
}
