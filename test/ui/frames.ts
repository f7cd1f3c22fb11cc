/* Test helpers: read frames as the operator sees them, and wait for the screen
 * to change instead of sleeping. */

// eslint-disable-next-line no-control-regex
const sgr = /\u001b\[[0-9;]*m/g;

export function unstyled(frame: string | undefined): string {
	return (frame ?? '').replace(sgr, '');
}

/** Polls the last frame until `predicate` holds; fails with the frame it last saw. */
export async function waitForFrame(lastFrame: () => string | undefined, predicate: (frame: string) => boolean, what: string, timeoutMs = 20_000): Promise<string> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const frame = unstyled(lastFrame());
		if (predicate(frame)) return frame;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last frame:\n${frame}`);
		await new Promise(resolve => setTimeout(resolve, 25));
	}
}

export const keys = {enter: '\r', escape: '\u001b', down: '\u001b[B', up: '\u001b[A', pageDown: '\u001b[6~', pageUp: '\u001b[5~', ctrlC: '\u0003'};

/** A small runbook for the UI tests: connect, a check that sees sessions idle in a transaction, a manual step. */
export const testRunbook = `
id: ui-test
title: UI test runbook
steps:
  - id: connect
    title: Connect to the database
    why: Nothing else works without a connection; a refusal here is itself the diagnosis.
    kind: connect
  - id: idle-tx
    title: Sessions idle in a transaction
    why: A session that opened a transaction and went quiet holds its locks and a pool slot until it ends; denokv's writes queue behind it.
    kind: sql
    query: |
      select pid, state, application_name, extract(epoch from now() - state_change)::int as idle_s
      from pg_stat_activity where state = 'idle in transaction' and pid <> pg_backend_pid()
    rules:
      - id: leak
        per: row
        message: "backend {pid} idle in transaction ({application_name})"
        warning: {column: state, eq: idle in transaction}
  - id: next-steps
    title: Tell the team
    why: Someone else may be fixing the same thing.
    kind: manual
    instructions:
      - Post the verdict in the incident channel.
causes:
  - id: leak
    title: A transaction left open
    symptom: writes wait, the pool runs dry
    check: idle-tx
    fix: end-leaks
    evidence:
      - {finding: idle-tx.leak, weight: 1}
  - id: other
    title: Something else
    symptom: anything
    check: connect
    fix: look-around
fixes:
  - id: end-leaks
    title: End the leaked transactions
    summary: Find the code path that leaves a transaction open; meanwhile end the sessions.
    actions:
      - Set idle_in_transaction_session_timeout for the application role.
    commands:
      - title: End one session
        run: select pg_terminate_backend(PID);
    queries:
      - id: still-idle
        title: Still idle in a transaction
        why: Shows whether the leak is still there.
        query: select count(*)::int as idle from pg_stat_activity where state = 'idle in transaction'
  - id: look-around
    title: Look around
    summary: Read the logs.
    actions:
      - Read the server log.
`;

/**
 * Sends input once and waits until the screen changes (Shopify cli-kit's
 * sendInputAndWaitForChange): a key the guide loses fails the test, never
 * gets sent again.
 */
export async function press(ui: {lastFrame: () => string | undefined; stdin: {write(data: string): void}}, input: string, what: string): Promise<string> {
	const before = unstyled(ui.lastFrame());
	ui.stdin.write(input);
	return waitForFrame(ui.lastFrame, f => f !== before, `the screen to react to ${what}`, 10_000);
}

/** Two log steps and nothing else: with no log given, both end manual, waiting for a path or a command. */
export const logRunbook = `
id: log-ui-test
title: Log UI test
steps:
  - id: server-logs
    title: Read the denokv server log
    why: Only the server log says what failed.
    kind: log
    source: server-log
    rules:
      - id: pool-errors
        message: '{count} pool/slot errors ({class})'
        critical: {all: [{column: cause, eq: pool-exhaustion}, {column: count, gte: 1}]}
  - id: postgres-logs
    title: Read the PostgreSQL log
    why: ERROR and FATAL lines say why requests failed.
    kind: log
    source: postgres-log
    rules:
      - id: timeout-errors
        message: '{count} timeout errors ({class})'
        warning: {all: [{column: cause, eq: timeouts}, {column: count, gte: 1}]}
causes:
  - id: pool-exhaustion
    title: The pool ran dry
    symptom: slots refused
    check: server-logs
    fix: more-slots
    evidence:
      - {finding: server-logs.pool-errors, weight: 1}
fixes:
  - id: more-slots
    title: Free the slots
    summary: End what holds them.
    actions:
      - Find the sessions.
`;
