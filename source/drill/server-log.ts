/* The denokv server's log as a drill writes it: the lines the real server
 * prints for the fault (denokv-postgres-facts.md), in its tracing format,
 * with timestamps spread over the minutes before the drill started. */

export type Level = 'INFO' | 'WARN' | 'ERROR';

export interface LogEvent {
	/** Minutes before now. */
	minutesAgo: number;
	level: Level;
	target: string;
	message: string;
}

/** `2025-06-01T12:00:00.123456Z ERROR denokv: message` (tracing-subscriber's default format). */
export function formatLine(at: Date, level: Level, target: string, message: string): string {
	const micros = String(at.getUTCMilliseconds() * 1000 + 417).padStart(6, '0');
	return `${at.toISOString().slice(0, 19)}.${micros}Z ${level.padStart(5)} ${target}: ${message}`;
}

/** `[2025-06-01T12:00:00Z ERROR denokv] message` (env_logger's default format, what `RUST_LOG=error` prints). */
export function formatEnvLoggerLine(at: Date, level: Level, target: string, message: string): string {
	return `[${at.toISOString().slice(0, 19)}Z ${level.padEnd(5)} ${target}] ${message}`;
}

/**
 * `count` moments over the last `minutes` minutes, oldest first. With
 * `growing`, more of them fall in the recent minutes (a fault getting worse).
 */
export function spread(count: number, minutes: number, growing = false): number[] {
	const out: number[] = [];
	for (let i = 0; i < count; i++) {
		const t = (i + 0.5) / count;
		out.push(minutes * (1 - (growing ? Math.sqrt(t) : t)));
	}
	return out;
}

/** Every failing request logs two lines: where it failed and what went back as the 500. */
export function failedWrites(minutesAgo: number[], error: string): LogEvent[] {
	return minutesAgo.flatMap(m => [
		{minutesAgo: m, level: 'ERROR' as const, target: 'denokv', message: `atomic_write failed: Database error: ${error}`},
		{minutesAgo: m, level: 'ERROR' as const, target: 'denokv', message: `Database error: Database error: ${error}`},
	]);
}

/** The server's start-up, some time before the trouble. */
export function startUp(minutesAgo: number): LogEvent[] {
	return [
		{minutesAgo, level: 'INFO', target: 'denokv', message: 'Opening PostgreSQL database (pool size 10)'},
		{minutesAgo, level: 'INFO', target: 'denokv', message: 'Listening on http://0.0.0.0:4512'},
	];
}

/** The log file's text: lines oldest first, ending with a newline. */
export function renderLog(events: LogEvent[], now: Date): string {
	const sorted = [...events].sort((a, b) => b.minutesAgo - a.minutesAgo);
	return sorted
		.map(e => formatLine(new Date(now.getTime() - Math.round(e.minutesAgo * 60_000)), e.level, e.target, e.message))
		.join('\n')
		.concat('\n');
}
