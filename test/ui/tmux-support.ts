import {after, before} from 'node:test';
import {execFileSync, spawnSync} from 'node:child_process';
import {existsSync, readFileSync} from 'node:fs';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {startTestServer, type TestServer} from '../support/pg.ts';
import {testRunbook} from './frames.ts';

/* Driving the built bin in a real tmux pane, as an operator over SSH sees it. */

export const bin = path.resolve('dist/pg500.mjs');

/** Why these tests cannot run here, or false when they can. */
export const tmuxSkip: string | false =
	spawnSync('tmux', ['-V']).status !== 0
		? 'tmux is not installed'
		: !existsSync(bin)
			? 'dist/pg500.mjs is missing (npm test builds it first)'
			: false;

/** A private tmux server on `socket` (or on the one a function names when called): its commands, and a wait for what a pane shows. */
export function tmuxOn(socketOf: string | (() => string)) {
	const socket = () => (typeof socketOf === 'string' ? socketOf : socketOf());
	const tmux = (...args: string[]) => execFileSync('tmux', ['-S', socket(), ...args], {encoding: 'utf8'});
	const alive = (name: string) => spawnSync('tmux', ['-S', socket(), 'has-session', '-t', name]).status === 0;
	async function waitForPane(pane: string, predicate: (screen: string) => boolean, what: string, timeoutMs = 20_000): Promise<string> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const screen = tmux('capture-pane', '-p', '-t', pane);
			if (predicate(screen)) return screen;
			if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; pane:\n${screen}`);
			await new Promise(resolve => setTimeout(resolve, 20));
		}
	}
	return {
		tmux,
		alive,
		waitForPane,
		/** Starts the server to stay between sessions: one that exits with its last session races the next new-session. */
		keep: () => tmux('start-server', ';', 'set-option', '-s', 'exit-empty', 'off'),
		kill: () => spawnSync('tmux', ['-S', socket(), 'kill-server']),
	};
}

/** The panel right of the checklist, line by line. */
export const panelOf = (screen: string) =>
	screen
		.split('\n')
		.filter(line => line.includes('│'))
		.map(line => line.slice(line.indexOf('│') + 2))
		.join('\n');

/** The events of a journal the bin wrote, after its header line. */
export function journalEvents(file: string): {type: string; stepId?: string; text?: string; how?: string; path?: string; outcome?: {rows: Record<string, unknown>[]}}[] {
	return readFileSync(file, 'utf8')
		.trim()
		.split('\n')
		.slice(1)
		.map(line => JSON.parse(line));
}

/**
 * What a terminal test file needs, set up before its tests and gone after
 * them: a temporary directory with the UI test runbook in it, a private tmux
 * server there, and (with `postgres`) a PostgreSQL server.
 */
export function tmuxTestbed(name: string, options: {postgres?: boolean} = {}) {
	const where = {dir: '', runbook: '', server: undefined as unknown as TestServer};
	const on = tmuxOn(() => path.join(where.dir, 'tmux.sock'));
	before(async () => {
		if (tmuxSkip) return;
		if (options.postgres) where.server = await startTestServer();
		where.dir = await mkdtemp(path.join(os.tmpdir(), `pg500-${name}-`));
		where.runbook = path.join(where.dir, 'runbook.yaml');
		await writeFile(where.runbook, testRunbook);
		on.keep();
	});
	after(async () => {
		if (tmuxSkip) return;
		on.kill();
		await where.server?.stop();
		await rm(where.dir, {recursive: true, force: true});
	});
	return {...on, where};
}
