import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';

/* The default runbook. From source it is read from runbooks/; the build
 * replaces this module with one that carries the text inline, so the bundle
 * is one self-contained file an operator can copy onto any host. */

export const defaultRunbookName = 'runbooks/postgres-500.yaml';

export function readDefaultRunbook(): string {
	return readFileSync(fileURLToPath(new URL('../../runbooks/postgres-500.yaml', import.meta.url)), 'utf8');
}
