import type {Notice, Pooler, Row, StepOutcome, TargetInfo} from '../engine/types.ts';
import {classifyConnectError, failureHint} from '../postgres/classify.ts';
import {consoleRows, readConsole} from '../postgres/pgbouncer-console.ts';
import type {ResolvedTarget} from '../postgres/target.ts';
import {escapeRow, escapeUntrusted} from '../text/escape.ts';
import {shellWord} from '../text/shell.ts';

/* The pgbouncer step: PgBouncer's pools as its admin console shows them
 * (--pgbouncer-url), or, without the console, what pg500 knows and the
 * commands to read it by hand; skipped when nothing says a PgBouncer is there. */

export interface PgBouncerStepContext {
	/** --pgbouncer-url, resolved. */
	console?: ResolvedTarget;
	/** What pg500's own connection found in front of PostgreSQL. */
	pooler: Pooler | null;
	/** Whether pg500's own connection was ever made (else nothing is known of a pooler). */
	connected: boolean;
	target: TargetInfo;
	timeoutMs: number;
}

export interface PgBouncerStepResult {
	outcome: StepOutcome;
	/** The console answered as PgBouncer at the very address pg500 connects to: pg500 talks through it. */
	confirmsTarget: boolean;
}

const address = (t: {host: string; port: number}) => `${t.host}:${t.port}`;

function byHandCommands(host: string, port: number): Row[] {
	const psql = `psql -h ${shellWord(host)} -p ${port} -U <a user of admin_users or stats_users> pgbouncer`;
	return [
		{command: `${psql} -c 'SHOW POOLS;' -c 'SHOW CLIENTS;' -c 'SHOW CONFIG;'`},
		{command: `pg500 run --pgbouncer-url postgres://<that user>@${host}:${port}/pgbouncer`},
	].map(escapeRow);
}

function consoleHint(message: string, failureText: string): string {
	if (/^not allowed$/i.test(message)) return "the user of --pgbouncer-url must be listed in PgBouncer's admin_users or stats_users";
	return failureText;
}

export async function runPgBouncerStep(context: PgBouncerStepContext): Promise<PgBouncerStepResult> {
	const {console: consoleTarget, target} = context;
	if (!consoleTarget) {
		if (context.pooler) {
			const why = `pg500 reaches PostgreSQL through PgBouncer at ${address(target)}, but no --pgbouncer-url was given, so its pools (clients waiting for a server connection, server connections busy against the pool size) were not read. Read them by hand with the commands below, or run pg500 again with --pgbouncer-url.`;
			const rows = byHandCommands(target.host, target.port);
			return {outcome: {rows, rowCount: rows.length, columns: ['command'], manual: escapeUntrusted(why)}, confirmsTarget: false};
		}
		const skipped = context.connected
			? "no PgBouncer answered pg500's login: it reaches PostgreSQL directly. If denokv goes through a PgBouncer, --pgbouncer-url reads its pools"
			: 'pg500 could not connect, so it cannot tell whether a PgBouncer stands in front of PostgreSQL; --pgbouncer-url reads its pools';
		return {outcome: {rows: [], rowCount: 0, skipped}, confirmsTarget: false};
	}

	const where = address(consoleTarget.info);
	try {
		const snapshot = await readConsole(consoleTarget, context.timeoutMs);
		const rows = consoleRows(snapshot);
		const isPgBouncer = /^PgBouncer\b/i.test(snapshot.version);
		const notices: Notice[] = [
			{
				id: 'console',
				severity: 'info',
				message: escapeUntrusted(
					`Read the admin console of ${snapshot.version || 'the pooler'} at ${where} on a short-lived connection of its own (SHOW only, no transaction): ${rows.length - 1} pools.`,
				),
			},
		];
		return {outcome: {rows, rowCount: rows.length, notices}, confirmsTarget: isPgBouncer && where === address(target)};
	} catch (error) {
		const failure = classifyConnectError(error, 'login');
		const message = escapeUntrusted(`cannot read PgBouncer's admin console at ${where}: ${failure.message}`);
		return {outcome: {rows: [], rowCount: 0, error: {message, hint: consoleHint(failure.message, `${failure.failure}: ${failureHint(failure.failure)}`)}}, confirmsTarget: false};
	}
}
