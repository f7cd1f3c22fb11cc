import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {build} from 'esbuild';
import pg from 'pg';
import {pgOnNode} from '../scripts/pg-on-node.mjs';
import {createExecutor} from '../source/session/create-executor.ts';
import {initialState} from '../source/engine/reducer.ts';
import {loadRunbook} from '../source/runbook/load.ts';
import {createSession} from '../source/session/controller.ts';

/* The floor under `pg500 run`: a script that only starts Node, loads pg (one
 * bundle, as pg500's), logs in, and sends the very statements `pg500 run`
 * sends on its one connection — the checks' SQL in their transactions —
 * without parsing a runbook, judging, or writing a report. No pg500 can be
 * faster than this on the same server; what pg500 adds is the difference. */

interface Statement {
	text: string;
	extended: boolean;
}

/** The statements of one whole run of the default runbook on `url`, in order, as pg receives them. */
async function statementsOfARun(url: string): Promise<Statement[]> {
	const statements: Statement[] = [];
	const query = pg.Client.prototype.query;
	// Only this process's run is recorded; the queries still go to the server as they are.
	pg.Client.prototype.query = function (this: pg.Client, config: unknown, ...rest: unknown[]) {
		const c = config as string | {text: string; queryMode?: string};
		statements.push(typeof c === 'string' ? {text: c, extended: false} : {text: c.text, extended: c.queryMode === 'extended'});
		return (query as (...args: unknown[]) => unknown).call(this, config, ...rest);
	} as typeof query;
	const executor = createExecutor({url, statementTimeout: 5000, logTailMb: 64, color: false}, {});
	try {
		const session = createSession({state: initialState(await loadRunbook()), executor});
		session.start();
		await session.runToEnd();
	} finally {
		pg.Client.prototype.query = query;
		await executor.close();
	}
	return statements;
}

/** Writes the floor script into `dir` (one esbuild bundle, like pg500's); run it as `node FILE URL`. */
export async function floorScript(url: string, dir: string): Promise<{file: string; statements: number}> {
	const statements = await statementsOfARun(url);
	const source = path.join(dir, 'floor-source.mjs');
	writeFileSync(
		source,
		`import pg from 'pg';
const client = new pg.Client({connectionString: process.argv[2], application_name: 'pg500-floor'});
await client.connect();
let failed = 0;
for (const s of ${JSON.stringify(statements)}) {
	try {
		await client.query(s.extended ? {text: s.text, queryMode: 'extended'} : s.text);
	} catch {
		failed++;
		await client.query('ROLLBACK').catch(() => {});
	}
}
await client.end();
// A statement that failed would make the floor look lower than it is.
if (failed > 0) console.error(\`floor: \${failed} statements failed\`);
`,
	);
	const file = path.join(dir, 'floor.mjs');
	await build({
		entryPoints: [source],
		absWorkingDir: path.resolve(import.meta.dirname, '..'),
		nodePaths: [path.resolve(import.meta.dirname, '../node_modules')],
		bundle: true,
		platform: 'node',
		format: 'esm',
		minify: true,
		outfile: file,
		external: ['pg-native'],
		banner: {js: "import {createRequire} from 'node:module'; const require = createRequire(import.meta.url);"},
		logLevel: 'warning',
		// As pg500's own bundle: pg's Cloudflare probe would load undici.
		plugins: [pgOnNode],
	});
	return {file, statements: statements.length};
}
