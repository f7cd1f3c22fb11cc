import {mkdtemp, readFile, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {runHeadless} from '../../source/commands/run.ts';
import {createExecutor} from '../../source/session/create-executor.ts';
import {loadRunbook} from '../../source/runbook/load.ts';
import type {RunState} from '../../source/engine/types.ts';
import type {EmbeddedServer} from '../../source/drill/embedded.ts';
import type {PreparedScenario} from '../../source/drill/drill.ts';

export interface JsonReport {
	verdict: string;
	steps: {id: string; status: string; findings: {severity: string; message: string}[]}[];
	causes: {id: string; likelihood: string; score: number}[];
	fix: {id: string; summary: string; actions: string[]} | null;
}

/** `pg500 run` on a prepared drill, as `demo --headless` runs it: the state and the JSON report it wrote. */
export async function headless(server: EmbeddedServer, drill: PreparedScenario): Promise<{state: RunState; exitCode: number; report: JsonReport}> {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'pg500-drill-test-'));
	const output = path.join(dir, 'report.json');
	const executor = createExecutor(
		{url: drill.targetUrl, serverLog: drill.serverLogPath, pgLog: server.pgLogPath, statementTimeout: 5000, logTailMb: 64, color: false},
		{},
	);
	try {
		const {state, exitCode} = await runHeadless({runbook: await loadRunbook(), executor, report: {format: 'json', output}});
		return {state, exitCode, report: JSON.parse(await readFile(output, 'utf8')) as JsonReport};
	} finally {
		await executor.close();
		await rm(dir, {recursive: true, force: true});
	}
}

export function statusOf(report: JsonReport, stepId: string): string | undefined {
	return report.steps.find(s => s.id === stepId)?.status;
}

/** What another session sees: one query as the superuser on the drill's database. */
export async function look(server: EmbeddedServer, database: string, sql: string): Promise<Record<string, unknown>[]> {
	const client = new pg.Client({connectionString: server.url(database)});
	await client.connect();
	try {
		return (await client.query(sql)).rows;
	} finally {
		await client.end();
	}
}
