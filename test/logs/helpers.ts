import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type {Row} from '../../source/engine/types.ts';
import type {RunnableStep} from '../../source/runbook/schema.ts';

/* Log steps as the runbook declares them, and temp files for generated logs. */

const step = (source: 'server-log' | 'postgres-log'): RunnableStep =>
	({id: source === 'server-log' ? 'server-logs' : 'postgres-logs', title: source, why: 'read the log', kind: 'log', source, rules: []}) as RunnableStep;

export const serverLogStep = step('server-log');
export const postgresLogStep = step('postgres-log');

export interface TempDir {
	dir: string;
	write(name: string, content: string | Buffer): Promise<string>;
	remove(): Promise<void>;
}

export async function tempDir(): Promise<TempDir> {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'pg500-logs-'));
	return {
		dir,
		async write(name, content) {
			const file = path.join(dir, name);
			await writeFile(file, content);
			return file;
		},
		remove: () => rm(dir, {recursive: true, force: true}),
	};
}

/** The row of a class, by name. */
export function byClass(rows: Row[], klass: string): Row | undefined {
	return rows.find(r => r.class === klass);
}

/** class → count, for whole-table assertions. */
export function counts(rows: Row[]): Record<string, number> {
	return Object.fromEntries(rows.map(r => [String(r.class), Number(r.count)]));
}
