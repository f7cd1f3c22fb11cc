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
