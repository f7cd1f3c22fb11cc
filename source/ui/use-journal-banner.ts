import {useEffect, useState} from 'react';
import type {GuideEffects} from './use-guide-actions.ts';

/**
 * While the journal cannot be written (a full disk), the message line says
 * so and stays until it can: what the operator does now exists only in
 * memory, and `e` is the way to keep it.
 */
export function useJournalBanner(journal: GuideEffects['journal']): {text: string; severity: 'critical'} | undefined {
	const [health, setHealth] = useState(() => journal?.health());
	useEffect(() => journal?.onHealth(setHealth), [journal]);
	if (!journal || !health || health.unsaved === 0) return undefined;
	return {
		severity: 'critical',
		text: `Journal not saved: ${health.problem ?? 'write failed'}. e saves a report (to ${journal.fallbackDir} if need be); ${health.unsaved} events kept, retried`,
	};
}
