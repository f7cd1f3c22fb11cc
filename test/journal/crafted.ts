import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {testRunbook} from '../ui/frames.ts';

/* A journal as an attacker writes it (issue 14): escape sequences and
 * invisible characters everywhere, a foreign output path and a foreign URL. */

const esc = '\u001b]0;pwned\u0007\u001b[2J';

/** A journal as an attacker writes it: escape sequences everywhere, a foreign output path and a foreign URL in its options. */
export function craftedJournal(dir: string, options: {url?: string; output?: string} = {}): string {
	const file = path.join(dir, 'crafted.jsonl');
	const header = {
		type: 'session',
		version: 1,
		runbookPath: `r${esc}.yaml`,
		runbookText: testRunbook,
		target: {host: `db${esc}`, port: 5432, database: `kv\u202e`, user: `app\u2028`, serverVersion: null},
		options: {format: 'markdown', output: options.output ?? '/etc/pg500-pwned', url: options.url ?? 'postgres://evil@attacker.example/kv'},
		startedAt: '2024-05-01T03:00:00.000Z',
	};
	const events = [
		{type: 'run-started', at: '2024-05-01T03:00:00.000Z', tool: {name: 'pg500', version: '0.1.0'}, target: header.target, runbookPath: header.runbookPath},
		{type: 'step-started', at: '2024-05-01T03:00:01.000Z', stepId: 'connect'},
		{
			type: 'step-finished',
			at: '2024-05-01T03:00:02.000Z',
			stepId: 'connect',
			durationMs: 3,
			outcome: {rows: [{[`col${esc}`]: `value${esc}\ufeff`}], rowCount: 1, error: {message: `boom${esc}`}, query: `select 1\n-- ${esc}`},
		},
		{type: 'note-set', at: '2024-05-01T03:00:03.000Z', stepId: 'connect', text: `note\u200f${esc}`},
	];
	writeFileSync(file, [header, ...events].map(line => `${JSON.stringify(line)}\n`).join(''), {mode: 0o600});
	return file;
}

