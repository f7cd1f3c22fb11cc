import {execFileSync, spawnSync} from 'node:child_process';
import {existsSync} from 'node:fs';
import path from 'node:path';

/* Driving the built bin in a real tmux pane, as an operator over SSH sees it. */

export const bin = path.resolve('dist/pg500.mjs');

/** Why these tests cannot run here, or false when they can. */
export const tmuxSkip: string | false =
	spawnSync('tmux', ['-V']).status !== 0
		? 'tmux is not installed'
		: !existsSync(bin)
			? 'dist/pg500.mjs is missing (npm test builds it first)'
			: false;

/** A private tmux server on `socket`: its commands, and a wait for what a pane shows. */
export function tmuxOn(socket: string) {
	const tmux = (...args: string[]) => execFileSync('tmux', ['-S', socket, ...args], {encoding: 'utf8'});
	const alive = (name: string) => spawnSync('tmux', ['-S', socket, 'has-session', '-t', name]).status === 0;
	async function waitForPane(pane: string, predicate: (screen: string) => boolean, what: string, timeoutMs = 20_000): Promise<string> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const screen = tmux('capture-pane', '-p', '-t', pane);
			if (predicate(screen)) return screen;
			if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; pane:\n${screen}`);
			await new Promise(resolve => setTimeout(resolve, 20));
		}
	}
	return {tmux, alive, waitForPane, kill: () => spawnSync('tmux', ['-S', socket, 'kill-server'])};
}
