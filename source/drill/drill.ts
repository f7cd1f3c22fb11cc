import {writeFile} from 'node:fs/promises';
import path from 'node:path';
import {fullDenokvSql} from './denokv-schema.ts';
import {startEmbeddedPostgres, type EmbeddedServer} from './embedded.ts';
import {renderLog} from './server-log.ts';
import {appRole, oncallRole, type Scenario} from './scenarios.ts';
import {DrillSessions, runSql} from './sessions.ts';
import {startWriteLoad} from './write-load.ts';
import {loadRunbook} from '../runbook/load.ts';

/* A drill = an embedded server, a denokv database with the scenario's fault
 * made for real, and the denokv server log to go with it. */

export interface PreparedScenario {
	scenario: Scenario;
	database: string;
	/** What the tool is pointed at: the on-call role (pg_monitor, pg_signal_backend, a member of denokv; no password) on the denokv database. */
	targetUrl: string;
	/** The denokv server's log for this fault (give it as --server-log). */
	serverLogPath: string;
	/** Ends the sessions and background activity the fault needs; the server stays. */
	release(): Promise<void>;
}

export interface PrepareOptions {
	/** Default `denokv`; tests sharing one server use a database per scenario. */
	database?: string;
	/** Default `denokv.log` in the server's directory. The name never says which fault it is (quiz). */
	logName?: string;
	now?: () => Date;
	/** Clients of the background write load (default drillLoadClients). */
	loadClients?: number;
}

/** The two roles of every drill server, made once per server. */
async function ensureRoles(server: EmbeddedServer): Promise<void> {
	await runSql(
		server.url('postgres'),
		`DO $$ BEGIN
			IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${appRole}') THEN CREATE ROLE ${appRole} LOGIN; END IF;
			IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${oncallRole}') THEN
				-- What an on-call engineer is given: to see everything, to end sessions, and the
				-- privileges of the application's role (the owner of its database, whose settings a fix changes).
				CREATE ROLE ${oncallRole} LOGIN;
				GRANT pg_monitor, pg_read_all_data, pg_signal_backend TO ${oncallRole};
				GRANT ${appRole} TO ${oncallRole};
			END IF;
		END $$`,
	);
}

/** The denokv server's pool: the background traffic every drill runs on (its default pool size). */
export const drillLoadClients = 10;

/**
 * Creates the scenario's database on `server` (schema as the denokv server
 * makes it, seeded), starts a healthy denokv write load on it, and injects
 * the fault on top of that load: a drill on a quiet server would teach the
 * wrong normal. The load's failures go to the server log after the history
 * the scenario writes there.
 */
export async function prepareScenario(server: EmbeddedServer, scenario: Scenario, options: PrepareOptions = {}): Promise<PreparedScenario> {
	const database = options.database ?? 'denokv';
	await ensureRoles(server);
	await runSql(server.url('postgres'), `CREATE DATABASE "${database}" OWNER ${appRole}`);
	await runSql(server.url(database, appRole), fullDenokvSql);
	const sessions = new DrillSessions(role => server.url(database, role));
	const serverLogPath = path.join(server.dir, options.logName ?? 'denokv.log');
	await writeFile(serverLogPath, renderLog(scenario.serverLog(), (options.now ?? (() => new Date()))()), {mode: 0o600});
	const load = startWriteLoad({url: server.url(database, appRole), clients: options.loadClients ?? drillLoadClients, pauseMs: 20, logPath: serverLogPath});
	const release = async () => {
		await load.stop();
		await sessions.close();
	};
	try {
		await load.flowing;
		await scenario.inject({
			database,
			sessions,
			admin: (sql, values) => runSql(server.url(database), sql, values),
			stopServer: () => server.stopServer(),
			thresholds: (await loadRunbook()).thresholds,
		});
	} catch (error) {
		await release();
		throw error;
	}
	return {scenario, database, targetUrl: server.url(database, oncallRole), serverLogPath, release};
}

export interface Drill extends PreparedScenario {
	server: EmbeddedServer;
	/** Ends the fault, stops PostgreSQL and removes every file of the drill. */
	dispose(): Promise<void>;
}

/** A server of the drill's own, with the settings its scenario needs. */
export async function startDrill(scenario: Scenario, onServerStarted?: () => void): Promise<Drill> {
	const server = await startEmbeddedPostgres({settings: scenario.settings});
	onServerStarted?.();
	try {
		const prepared = await prepareScenario(server, scenario);
		return {
			...prepared,
			server,
			async dispose() {
				await prepared.release();
				await server.dispose();
			},
		};
	} catch (error) {
		await server.dispose();
		throw error;
	}
}
