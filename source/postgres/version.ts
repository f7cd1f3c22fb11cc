import type {Runbook} from '../runbook/schema.ts';

type Query = NonNullable<Runbook['steps'][number]['query']>;

/** 160004 → 16; 90624 → 9. */
export function majorVersion(serverVersionNum: number): number {
	return Math.floor(serverVersionNum / 10000);
}

/** "16.4 (Debian 16.4-1.pgdg120+1)" → "16.4". */
export function shortVersion(serverVersion: string): string {
	return serverVersion.split(' ')[0] ?? serverVersion;
}

/** The SQL of `query` for a server of major version `major`: the first variant whose min/max range holds it. */
export function pickQuery(query: Query, major: number): string | undefined {
	if (typeof query === 'string') return query;
	return query.find(v => (v.min === undefined || major >= v.min) && (v.max === undefined || major <= v.max))?.sql;
}
