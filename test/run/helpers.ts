import {mkdtemp, readFile} from 'node:fs/promises';
import {execFile} from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import {run} from '../../source/commands/run.ts';
import type {JsonReport as Report} from '../../source/report/json.ts';
import {schemaProblems} from '../report/schema.ts';

/* Runs `pg500 run` in-process (report to a file, so the test reads it) or as
 * the real CLI in a child process (for what the user sees on the terminal). */

export interface JsonReport {
	verdict: string;
	target: {host: string; port: number; database: string; user: string; serverVersion: string | null; pooler?: string | null};
	steps: {id: string; status: string; findings: {severity: string; message: string}[]; rows: Record<string, unknown>[]}[];
	causes: {id: string; likelihood: string; score: number}[];
}

export async function runToJson(url: string, extra: Record<string, unknown> = {}): Promise<{exitCode: number; report: JsonReport; text: string}> {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'pg500-run-'));
	const output = path.join(dir, 'report.json');
	const exitCode = await run({url, statementTimeout: 5000, logTailMb: 64, color: false, format: 'json', output, ...extra});
	const text = await readFile(output, 'utf8');
	return {exitCode, report: JSON.parse(text) as JsonReport, text};
}

/** `pg500 run` in-process: its JSON report as the product types it, checked against docs/report.schema.json. */
export async function runReport(url: string, extra: Record<string, unknown> = {}): Promise<{exitCode: number; report: Report}> {
	const {exitCode, text} = await runToJson(url, extra);
	const report = JSON.parse(text) as Report;
	assert.deepEqual(schemaProblems(report), []);
	return {exitCode, report};
}

export function step(report: JsonReport, id: string) {
	const found = report.steps.find(s => s.id === id);
	if (!found) throw new Error(`no step ${id} in the report`);
	return found;
}

const root = path.resolve(import.meta.dirname, '../..');

export function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{code: number; stdout: string; stderr: string}> {
	return new Promise(resolve => {
		execFile(
			process.execPath,
			['--import', 'tsx', path.join(root, 'cli.tsx'), ...args],
			{cwd: root, env: {PATH: process.env.PATH, HOME: os.tmpdir(), ...env}},
			(error, stdout, stderr) => resolve({code: error ? Number(error.code) : 0, stdout, stderr}),
		);
	});
}
