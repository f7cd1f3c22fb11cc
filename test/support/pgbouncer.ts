import {spawn, execFileSync, type ChildProcess} from 'node:child_process';
import {existsSync} from 'node:fs';
import {chmod, chown, mkdtemp, rm, writeFile} from 'node:fs/promises';
import {connect} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {freePort, superuser, type TestServer} from './pg.ts';

/* A real PgBouncer (Debian's `pgbouncer` package) in front of a test
 * server, started by the test like the database. PgBouncer refuses to run as
 * root: as root it runs as the "postgres" user the test servers use. */

export const consoleAdmin = {user: 'pgbadmin', password: 'pgb-admin-pw'};

export interface TestPgBouncer {
	port: number;
	/** A URL through PgBouncer for `database` as the superuser (carries the password: never print it). */
	url(database: string): string;
	/** The admin console's URL, as its admin user. */
	consoleUrl: string;
	/** PgBouncer's own log. */
	logPath: string;
	/** One command on the admin console (SHOW …, SET …), on a short-lived connection. */
	console(command: string): Promise<Record<string, unknown>[]>;
	stop(): Promise<void>;
}

export interface PgBouncerOptions {
	/** [databases] entries beyond the catch-all: name → connection options, e.g. `pool_size=2`. */
	databases?: Record<string, string>;
	/** [pgbouncer] settings over the defaults below. */
	settings?: Record<string, string | number>;
}

/** Debian installs PgBouncer in /usr/sbin, which a non-root PATH may lack. */
function pgbouncerBinary(): string {
	for (const dir of [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/sbin', '/usr/local/sbin'])
		if (existsSync(path.join(dir, 'pgbouncer'))) return path.join(dir, 'pgbouncer');
	throw new Error("PgBouncer is not installed: these tests need Debian's pgbouncer package (.ci/run installs it)");
}

/** As root, the uid and gid of the "postgres" user (which the test servers also run as). */
function runAs(): {uid: number; gid: number} | undefined {
	if (process.getuid?.() !== 0) return undefined;
	const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], {encoding: 'utf8'}).trim());
	return {uid: id('-u'), gid: id('-g')};
}

function listening(port: number): Promise<boolean> {
	return new Promise(resolve => {
		const socket = connect({host: '127.0.0.1', port}, () => {
			socket.destroy();
			resolve(true);
		});
		socket.on('error', () => resolve(false));
	});
}

export async function startPgBouncer(server: TestServer, options: PgBouncerOptions = {}): Promise<TestPgBouncer> {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'pg500-pgbouncer-'));
	const port = await freePort();
	const logPath = path.join(dir, 'pgbouncer.log');
	const userlist = path.join(dir, 'userlist.txt');
	const ini = path.join(dir, 'pgbouncer.ini');
	const settings: Record<string, string | number> = {
		listen_addr: '127.0.0.1',
		listen_port: port,
		unix_socket_dir: '',
		auth_type: 'plain',
		auth_file: userlist,
		admin_users: consoleAdmin.user,
		pool_mode: 'transaction',
		default_pool_size: 20,
		max_client_conn: 200,
		logfile: logPath,
		...options.settings,
	};
	const databases = {...options.databases, '*': `host=127.0.0.1 port=${server.port}`};
	await writeFile(
		ini,
		[
			'[databases]',
			...Object.entries(databases).map(([name, conn]) => `${name} = ${name === '*' ? conn : `host=127.0.0.1 port=${server.port} ${conn}`}`),
			'[pgbouncer]',
			...Object.entries(settings).map(([k, v]) => `${k} = ${v}`),
			'',
		].join('\n'),
	);
	await writeFile(userlist, `"${superuser.user}" "${superuser.password}"\n"${consoleAdmin.user}" "${consoleAdmin.password}"\n`);
	const ids = runAs();
	if (ids) {
		for (const file of [dir, ini, userlist]) await chown(file, ids.uid, ids.gid);
		await chmod(dir, 0o700);
	}
	const child: ChildProcess = spawn(pgbouncerBinary(), [ini], {...ids, stdio: ['ignore', 'ignore', 'pipe']});
	let stderr = '';
	child.stderr!.on('data', chunk => (stderr += chunk));
	const exited = new Promise<void>(resolve => child.once('exit', () => resolve()));
	const until = Date.now() + 15_000;
	while (!(await listening(port))) {
		if (child.exitCode !== null) throw new Error(`pgbouncer exited (${child.exitCode}): ${stderr.trim().split('\n').at(-1)}`);
		if (Date.now() > until) throw new Error('pgbouncer did not listen within 15 s');
		await new Promise(resolve => setTimeout(resolve, 50));
	}
	const host = `127.0.0.1:${port}`;
	const consoleUrl = `postgres://${consoleAdmin.user}:${consoleAdmin.password}@${host}/pgbouncer`;
	return {
		port,
		logPath,
		consoleUrl,
		url: database => `postgres://${encodeURIComponent(superuser.user)}:${encodeURIComponent(superuser.password)}@${host}/${database}`,
		async console(command) {
			const client = new pg.Client({connectionString: consoleUrl});
			client.on('error', () => {});
			await client.connect();
			try {
				return (await client.query(command)).rows;
			} finally {
				await client.end();
			}
		},
		async stop() {
			if (child.exitCode === null) {
				child.kill('SIGTERM');
				await exited;
			}
			await rm(dir, {recursive: true, force: true});
		},
	};
}
