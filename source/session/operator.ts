import os from 'node:os';

/**
 * Who runs this part of a session, as journals and reports name them: the OS
 * user and host, `alice@bastion-1` (cli-contract.md, `actions[].operator`).
 * A resumed session may be another person on another host.
 */
export function osOperator(): string {
	let user: string;
	try {
		user = os.userInfo().username;
	} catch {
		// No passwd entry for this uid (a container's arbitrary user): the environment's name, else the uid.
		user = process.env['USER'] ?? process.env['LOGNAME'] ?? `uid ${process.getuid?.() ?? '?'}`;
	}
	return `${user}@${os.hostname()}`;
}
