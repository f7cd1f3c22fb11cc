import type {WatchSample} from '../engine/types.ts';

/* A sample as `pg500 watch` prints it when its output feeds a chart or a
 * log: the contract's JSON object (cli-contract.md: exactly these fields, in
 * this order), or one line of text for a person reading a log file. */

/** The fields of the contract's JSON line, in its order. */
export const contractFields = [
	'at',
	'slots_used',
	'slots_usable',
	'idle_in_tx',
	'oldest_idle_in_tx_s',
	'lock_waiters',
	'oldest_lock_wait_s',
	'deadlocks',
	'commits_per_s',
	'rollbacks_per_s',
	'server_log_errors_per_min',
] as const satisfies readonly (keyof WatchSample)[];

export type ContractSample = Pick<WatchSample, (typeof contractFields)[number]>;

export function contractSample(sample: WatchSample): ContractSample {
	return Object.fromEntries(contractFields.map(name => [name, sample[name]])) as ContractSample;
}

export function jsonLine(sample: WatchSample): string {
	return `${JSON.stringify(contractSample(sample))}\n`;
}

const shown = (value: number | null) => (value === null ? '-' : String(value));

/** `2026-11-29T03:01:02Z slots 12/97 idle_in_tx 3 (oldest 41 s) lock_waiters 6 (oldest 12 s) deadlocks 0 commits 210.5/s rollbacks 3.2/s log_errors 4.3/min` */
export function textLine(sample: WatchSample): string {
	const parts = [
		`${sample.at.slice(0, 19)}Z`,
		`slots ${sample.slots_used}/${sample.slots_usable}`,
		`idle_in_tx ${sample.idle_in_tx} (oldest ${sample.oldest_idle_in_tx_s} s)`,
		`lock_waiters ${sample.lock_waiters} (oldest ${sample.oldest_lock_wait_s} s)`,
		`deadlocks ${shown(sample.deadlocks)}`,
		`commits ${shown(sample.commits_per_s)}/s`,
		`rollbacks ${shown(sample.rollbacks_per_s)}/s`,
	];
	if (sample.server_log_errors_per_min !== null) parts.push(`log_errors ${sample.server_log_errors_per_min}/min`);
	return `${parts.join(' ')}\n`;
}
