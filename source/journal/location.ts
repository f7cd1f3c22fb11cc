import os from 'node:os';
import path from 'node:path';
import {randomBytes} from 'node:crypto';

/** `$XDG_STATE_HOME/pg500`, else `~/.local/state/pg500` (the XDG base directory default). */
export function journalDir(env: NodeJS.ProcessEnv = process.env): string {
	const base = env['XDG_STATE_HOME'] && path.isAbsolute(env['XDG_STATE_HOME']) ? env['XDG_STATE_HOME'] : path.join(os.homedir(), '.local', 'state');
	return path.join(base, 'pg500');
}

/** `2024-05-01T03-12-44Z-3f9a1c.jsonl`: sorts by start time, unique across sessions started the same second. */
export function journalFileName(startedAt: string): string {
	const stamp = startedAt.slice(0, 19).replace(/:/g, '-');
	return `${stamp}Z-${randomBytes(3).toString('hex')}.jsonl`;
}

export const journalExtension = '.jsonl';
