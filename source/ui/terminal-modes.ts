import {closeSync, openSync} from 'node:fs';
import {isatty} from 'node:tty';

/* The terminal's modes around a guided session: raw from the start, and
 * nothing left to restore on a terminal that has gone away. */

/**
 * Raw mode from the moment a guided session is decided on, before the TUI
 * has loaded: keys typed meanwhile (an operator who knows the runbook types
 * ahead) wait in the terminal, unechoed, and reach the first frame in order.
 * In the terminal's cooked mode they would be echoed over the screen and
 * held back until a line ends. The terminal is restored at exit whatever
 * happens in between (a usage error, an early failure).
 */
export function holdKeys(): void {
	const {stdin} = process;
	if (!stdin.isTTY || !process.stdout.isTTY || stdin.isRaw) return;
	stdin.setRawMode(true);
	process.once('exit', () => {
		// A terminal that is gone fails the restore with an error event: nothing left to restore.
		stdin.on('error', () => {});
		if (stdin.isRaw) stdin.setRawMode(false);
	});
}

/**
 * When the terminal is gone (hung up, its pty closed), the standard streams
 * that were on it are pointed at /dev/null. At exit Node restores the
 * terminal settings it saw at start on each of them, and on a hung-up
 * terminal that fails with EIO, which Node 20 treats as fatal (abort, exit
 * 134) — after a clean ending. A stream Node finds replaced it leaves alone.
 */
export function releaseGoneTerminal(): void {
	const streams = [process.stdin, process.stdout, process.stderr];
	streams.forEach((stream, fd) => {
		if (!stream.isTTY || isatty(fd)) return;
		closeSync(fd);
		// The lowest free descriptor: the one just closed.
		openSync('/dev/null', fd === 0 ? 'r' : 'w');
	});
}
