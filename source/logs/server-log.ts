import {anyOf, classBySqlstate, classifyText, postgresClasses, serverBugClasses, unclassified, type LogClass} from './log-classes.ts';
import {skipLine, type LineClassifier, type LineVerdict} from './scan.ts';

/* The denokv server's log. A failing request logs two lines carrying the same
 * Postgres text (`atomic_write failed: …` and `Database error: …`, in either
 * order, depending on the version): the second is the same failure and is
 * not counted again, however many lines of other requests (or debug lines)
 * come between them. */

/** Server-side lines whose reason matched no Postgres text: still about the connection or a background task. */
const serverFallbacks: LogClass[] = [
	{class: 'pool-connection-error', cause: 'connection-failure', sqlstate: null, pattern: /Connection error:|could not be recycled|Connection failed:/},
	{class: 'collect-expired-error', cause: 'unclassified', sqlstate: null, pattern: /collect_expired error/},
	{class: 'queue-cleanup-error', cause: 'unclassified', sqlstate: null, pattern: /queue_cleanup error/},
];

const wrapper = /atomic_write failed:|Database error:/;
const about500 = /Internal Server Error|An internal server error occurred| 500 /;
const wrappers = /^(?:\s*(?:atomic_write failed|Database error|db error)\s*:\s*)+/;
/** tokio-postgres Debug output names the code: `code: SqlState(E40P01)`. */
const debugSqlstate = /SqlState\((?:Inner::)?E?([0-9A-Z]{5})\)/;
/** How many lines apart the two lines of one failing request may be. */
const pairWithinLines = 1000;

const textClasses = [...serverBugClasses, ...postgresClasses];
const prefilter = anyOf([...textClasses, ...serverFallbacks], [wrapper, about500, debugSqlstate]);

/* Levels below WARN: denokv logs failures at ERROR and deadpool at WARN, so
 * such a line is only looked at for a 500 status. Also what keeps a full scan fast. */
const quietLevels = [' INFO ', ' DEBUG ', ' TRACE ', '"level":"INFO"', '"level":"DEBUG"', '"level":"TRACE"'];
const levelWithin = 80;

function quiet(line: string): boolean {
	for (const level of quietLevels) {
		const at = line.indexOf(level);
		if (at !== -1 && at < levelWithin) return true;
	}
	return false;
}

/** The Postgres text a wrapper line carries, the same for both lines of one request. */
function innerMessage(line: string): string {
	const at = line.search(wrapper);
	// Cut at the end of a JSON string value, so the fields after it (a timestamp) do not differ.
	return line.slice(at).replace(wrappers, '').split(/(?<!\\)"/)[0]!.trim();
}

/**
 * The first lines of failing requests still waiting for their second, by kind
 * and Postgres text: lines of concurrent requests interleave (A1 A2 D1 D2 is
 * two requests), and a version that logs one line per failure never pairs.
 */
class Unpaired {
	private readonly lines = new Map<string, number[]>();
	private added = 0;

	/** Takes the oldest line of `kind` with this text within reach; false when there is none. */
	take(kind: string, inner: string, lineNo: number): boolean {
		const waiting = this.lines.get(`${kind}\0${inner}`);
		if (!waiting) return false;
		while (waiting.length > 0 && lineNo - waiting[0]! > pairWithinLines) waiting.shift();
		return waiting.shift() !== undefined;
	}

	add(kind: string, inner: string, lineNo: number): void {
		const key = `${kind}\0${inner}`;
		const waiting = this.lines.get(key) ?? [];
		while (waiting.length > 0 && lineNo - waiting[0]! > pairWithinLines) waiting.shift();
		waiting.push(lineNo);
		this.lines.set(key, waiting);
		// Texts that vary (a table name, a pid) leave keys behind: drop those out of reach now and then.
		if (++this.added % pairWithinLines === 0)
			for (const [k, v] of this.lines) if (v.length === 0 || lineNo - v.at(-1)! > pairWithinLines) this.lines.delete(k);
	}
}

export function serverLogClassifier(): LineClassifier {
	let lineNo = 0;
	const unpaired = new Unpaired();
	return {
		classify(line: string): LineVerdict {
			lineNo++;
			// PgBouncer's log, read as a server log: its `pooler error:` line is the refusal, this repeats it.
			if (line.includes(' closing because: ')) return skipLine;
			if (quiet(line)) return line.includes(' 500 ') || line.includes('Internal Server Error') ? {kind: 'count', klass: unclassified} : skipLine;
			if (!prefilter.test(line)) return skipLine;
			const klass =
				classifyText(line, textClasses) ?? classBySqlstate(debugSqlstate.exec(line)?.[1]) ?? classifyText(line, serverFallbacks);
			if (wrapper.test(line)) {
				const kind = line.includes('atomic_write failed:') ? 'atomic_write' : 'database';
				const inner = innerMessage(line);
				if (unpaired.take(kind === 'atomic_write' ? 'database' : 'atomic_write', inner, lineNo)) return skipLine;
				unpaired.add(kind, inner, lineNo);
				return {kind: 'count', klass: klass ?? unclassified};
			}
			if (klass) return {kind: 'count', klass};
			return about500.test(line) ? {kind: 'count', klass: unclassified} : skipLine;
		},
	};
}
