import pg from 'pg';

/* The real sessions a drill keeps open to make its fault (leaked
 * transactions, lock holders and waiters, a full pool), and the background
 * activity that keeps a fault going while the operator looks at it. All of
 * it ends when the drill ends. */

export class DrillSessions {
	readonly #clients: pg.Client[] = [];
	readonly #pending: Promise<unknown>[] = [];
	readonly #loops: {timer: NodeJS.Timeout; busy?: Promise<unknown>}[] = [];
	#closed = false;

	constructor(readonly url: (role: string) => string) {}

	/** A new session as `role`, kept until close(). Rejects with PostgreSQL's error when refused. */
	async open(role: string, applicationName = 'denokv'): Promise<pg.Client> {
		const client = new pg.Client({connectionString: this.url(role), application_name: applicationName});
		// A session the drill keeps may be cut by the fault itself (a stopped server); that is expected.
		client.on('error', () => {});
		await client.connect();
		this.#clients.push(client);
		return client;
	}

	/** A statement that is meant to block (a lock waiter): started, not awaited; its end is of no interest. */
	leaveRunning(client: pg.Client, sql: string, values: unknown[] = []): void {
		this.#pending.push(client.query(sql, values).catch(() => {}));
	}

	/** Runs `step` every `ms` while the drill lasts; one at a time. */
	every(ms: number, step: () => Promise<void>): void {
		const loop: {timer: NodeJS.Timeout; busy?: Promise<unknown>} = {
			timer: setInterval(() => {
				if (this.#closed || loop.busy) return;
				loop.busy = step()
					.catch(() => {})
					.finally(() => (loop.busy = undefined));
			}, ms),
		};
		// The background fault must not keep the tool alive on its own.
		loop.timer.unref();
		this.#loops.push(loop);
	}

	get count(): number {
		return this.#clients.length;
	}

	async close(): Promise<void> {
		this.#closed = true;
		for (const loop of this.#loops) clearInterval(loop.timer);
		await Promise.allSettled(this.#loops.map(l => l.busy));
		await Promise.allSettled(this.#clients.map(c => c.end()));
		await Promise.allSettled(this.#pending);
	}
}

/** Runs SQL with a short-lived session (the drill's own set-up work, as a superuser). */
export async function runSql(url: string, sql: string, values: unknown[] = []): Promise<pg.QueryResult> {
	const client = new pg.Client({connectionString: url, application_name: 'pg500-drill'});
	client.on('error', () => {});
	await client.connect();
	try {
		return await client.query(sql, values);
	} finally {
		await client.end();
	}
}

/** Polls until `check` is true (a fault in place: waiters waiting, sessions idle), at most `ms`. */
export async function waitFor(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
	const until = Date.now() + ms;
	while (!(await check())) {
		if (Date.now() > until) throw new Error(`the drill could not set up its fault: ${what}`);
		await new Promise(resolve => setTimeout(resolve, 50));
	}
}
