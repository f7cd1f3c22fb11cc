/**
 * The causes of the default runbook, by id: fixed by the public contract
 * (cli-contract.md), all present in every report. The log classes and the
 * drills name causes by these ids.
 */
export const defaultCauses = ['pool-exhaustion', 'deadlocks', 'timeouts', 'schema', 'connection-failure', 'pooler', 'read-only-target'] as const;
export type DefaultCause = (typeof defaultCauses)[number];
