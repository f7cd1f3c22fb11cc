/* Commands that print the denokv server's log, offered when no --server-log
 * was given. The operator fills in the placeholder; the exact line is shown
 * for confirmation before anything runs. */

import {shellWord} from '../text/shell.ts';

export interface LogCommand {
	id: string;
	label: string;
	/** The command line; `{}` stands for what the operator types. */
	template: string;
	/** What to type in place of `{}`; none when the line is complete. */
	ask?: string;
}

export const logCommands: readonly LogCommand[] = [
	{id: 'docker', label: 'docker logs --since 30m <container>', template: 'docker logs --since 30m {}', ask: 'container name or id'},
	{id: 'journalctl', label: 'journalctl -u denokv --since -30min --no-pager', template: 'journalctl -u denokv --since -30min --no-pager'},
	{id: 'kubectl', label: 'kubectl logs --since=30m <pod>', template: 'kubectl logs --since=30m {}', ask: 'pod (or deploy/NAME)'},
	// Raw: the operator writes the whole line (ssh to the host, another unit…).
	{id: 'other', label: 'another command (its output is read as the log)', template: '{}', ask: 'command'},
];

/** The exact line to confirm and run. */
export function commandLine(command: LogCommand, value: string): string {
	if (!command.ask) return command.template;
	const filled = command.id === 'other' ? value.trim() : shellWord(value.trim());
	// A function, so `$&` or `$'` in what was typed stays literal.
	return command.template.replace('{}', () => filled);
}
