import type {SessionState} from '../session/store.ts';

/**
 * While the journal cannot be written (a full disk), the message line says
 * so and stays until it can: what the operator does now exists only in
 * memory, and `e` is the way to keep it.
 */
export function journalBanner(backlog: SessionState['journalBacklog'], fallbackDir: string | undefined): {text: string; severity: 'critical'} | undefined {
	if (!backlog) return undefined;
	const where = fallbackDir ? ` (to ${fallbackDir} if need be)` : '';
	return {severity: 'critical', text: `Journal not saved: ${backlog.problem}. e saves a report${where}; ${backlog.events} events kept, retried`};
}
