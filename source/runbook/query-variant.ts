import type {Runbook} from './schema.ts';

type Query = NonNullable<Runbook['steps'][number]['query']>;

/** The SQL of `query` for a server of major version `major`: the first variant whose min/max range holds it. */
export function pickQuery(query: Query, major: number): string | undefined {
	if (typeof query === 'string') return query;
	return query.find(v => (v.min === undefined || major >= v.min) && (v.max === undefined || major <= v.max))?.sql;
}
