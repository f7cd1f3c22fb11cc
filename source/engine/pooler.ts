import type {Pooler} from './types.ts';

/** How reports and screens name each pooler pg500 recognises. */
export const poolerNames: Record<Pooler, string> = {pgbouncer: 'PgBouncer'};

/** Whether `value` names a pooler pg500 knows (a journal is untrusted input: it may say anything). */
export function isPooler(value: unknown): value is Pooler {
	return typeof value === 'string' && Object.hasOwn(poolerNames, value);
}

/** ` through PgBouncer` after the server's name when pg500 talks through a pooler, else nothing. */
export function throughPooler(pooler: Pooler | null | undefined): string {
	return isPooler(pooler) ? ` through ${poolerNames[pooler]}` : '';
}
