import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import type {Runbook} from './schema.ts';

/* The default runbook. From source it is read from runbooks/ and parsed like
 * any other. The build (scripts/build.mjs) replaces this module with one
 * that carries the text and the already validated runbook inline, so the
 * bundle is one self-contained file an operator can copy onto any host, and
 * starting it costs no YAML parsing or validation. */

export const defaultRunbookName = 'runbooks/postgres-500.yaml';

export function readDefaultRunbook(): string {
	return readFileSync(fileURLToPath(new URL('../../runbooks/postgres-500.yaml', import.meta.url)), 'utf8');
}

/** The validated default runbook when the build carries one; from source, none. */
export function prebuiltDefaultRunbook(): Runbook | undefined {
	return undefined;
}

/** The prebuilt default runbook when `text` is the default runbook's text (e.g. read back from a journal). */
export function prebuiltIfDefault(text: string, name: string): Runbook | undefined {
	return name === defaultRunbookName && text === readDefaultRunbook() ? prebuiltDefaultRunbook() : undefined;
}
