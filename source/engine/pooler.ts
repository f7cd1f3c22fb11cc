import type {Pooler} from './types.ts';

/** How reports and screens name each pooler pg500 recognises. */
export const poolerNames: Record<Pooler, string> = {pgbouncer: 'PgBouncer'};

/** ` through PgBouncer` after the server's name when pg500 talks through a pooler, else nothing. */
export function throughPooler(pooler: Pooler | null | undefined): string {
	return pooler ? ` through ${poolerNames[pooler]}` : '';
}
