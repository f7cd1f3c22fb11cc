import {maxLineBytes, type LineCounts} from './line-reader.ts';

/* What a log line says once its envelope is off. Docker's json-file driver
 * (`/var/lib/docker/containers/ID/ID-json.log`) writes each line a container
 * printed as `{"log":"the line\n","stream":"stderr","time":"…Z"}`; a line
 * over 16 kB comes in several objects, only the last ending in "\n". The
 * first line that is not empty says whether the log is wrapped this way. */

export interface LineFramer {
	/** The line inside `raw`; undefined while a split line is still incomplete. (A string, not an object: this runs for every line.) */
	frame(raw: string): string | undefined;
	/** When the envelope of the line last framed says it was written (Docker's clock, UTC); undefined for a plain log. */
	readonly time: Date | undefined;
	/** The log turned out to be Docker's json-file format. */
	readonly docker: boolean;
}

interface DockerEntry {
	log: string;
	time?: unknown;
}

function dockerEntry(raw: string): DockerEntry | undefined {
	if (!raw.startsWith('{"log":')) return undefined;
	try {
		const entry = JSON.parse(raw) as unknown;
		return entry && typeof entry === 'object' && typeof (entry as DockerEntry).log === 'string' ? (entry as DockerEntry) : undefined;
	} catch {
		return undefined;
	}
}

const withoutCr = (text: string) => (text.endsWith('\r') ? text.slice(0, -1) : text);

/** `counts` learns of lines cut to maxLineBytes once put together from Docker's pieces. */
export function lineFramer(counts?: LineCounts): LineFramer {
	let mode: 'unknown' | 'plain' | 'docker' = 'unknown';
	let partial = '';
	let time: Date | undefined;
	return {
		get docker() {
			return mode === 'docker';
		},
		get time() {
			return time;
		},
		frame(raw) {
			const line = withoutCr(raw);
			if (mode === 'unknown' && line.length > 0) mode = dockerEntry(line) ? 'docker' : 'plain';
			if (mode !== 'docker') return line;
			const entry = dockerEntry(line);
			time = undefined;
			// A line that is not an entry (the window's cut first line, a hand edit) is read as it is.
			if (!entry) return line.length > 0 ? line : undefined;
			if (!entry.log.endsWith('\n')) {
				// One character over the limit marks the line as cut.
				partial = (partial + entry.log).slice(0, maxLineBytes + 1);
				return undefined;
			}
			let text = withoutCr(partial + entry.log.slice(0, -1));
			partial = '';
			if (text.length > maxLineBytes) {
				text = text.slice(0, maxLineBytes);
				if (counts) counts.truncated++;
			}
			const ms = typeof entry.time === 'string' ? Date.parse(entry.time) : NaN;
			time = Number.isNaN(ms) ? undefined : new Date(ms);
			return text;
		},
	};
}
