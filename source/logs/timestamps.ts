import type {Notice} from '../engine/types.ts';
import {escapeUntrusted} from '../text/escape.ts';
import {zoneAbbreviations} from './zone-abbreviations.ts';

/* Timestamps of the common log formats, found near the start of a line:
 * RFC 3339 / ISO (`2026-11-26T10:00:00.123Z`, docker -t, JSON fields),
 * env_logger (`[2026-11-26T10:00:00Z ERROR denokv]`), Postgres %m / %t / csvlog
 * (`2026-11-26 10:00:00.123 CST`), syslog / journal (`Nov 26 10:00:00`).
 *
 * A zone abbreviation is read with the server's log_timezone when it is
 * known (Postgres writes the abbreviation of that zone: CST is America/Chicago
 * or Asia/Shanghai), else with the IANA abbreviations; one that stands for
 * several offsets is read with this machine's zone when that zone uses it,
 * and otherwise the line's time is unknown and the step says so. */

const iso = /(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?(?: ?(Z|[+-]\d\d(?::?\d\d)?|[A-Z][A-Za-z]{1,4}(?![A-Za-z])))?/;
const syslog = /^(?:<\d+>)?(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +(\d{1,2}) (\d\d):(\d\d):(\d\d)/;
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const utcNames = new Set(['Z', 'UTC', 'GMT', 'UCT', 'UT']);
/** Words that follow a timestamp in other formats and are not zones (`2026-11-26 10:00:00,123 ERROR …`). */
const notZones = new Set(['ERROR', 'ERR', 'WARN', 'INFO', 'DEBUG', 'TRACE', 'FATAL', 'PANIC', 'LOG', 'CRIT', 'ALERT', 'EMERG', 'NOTE', 'FINE', 'GET', 'POST', 'PUT', 'HEAD']);

/** How far into a line a timestamp may start (JSON logs put it after a key or two). */
const searchWidth = 160;
const minute = 60_000;
const day = 86_400_000;
/** Zone offsets are looked up once per abbreviation and quarter hour of wall time (transitions fall on one). */
const cacheMs = 15 * minute;

/** A timestamp was found but its zone could not be read: the line's time is unknown. */
export const unknownTime = Object.freeze({unknownZone: true as const});
export type LineTime = Date | null | typeof unknownTime;

const offsetFormats = new Map<string, Intl.DateTimeFormat | null>();

/** The zone's offset from UTC at an instant, in minutes east; undefined for a zone Intl does not know. */
export function zoneOffsetAt(zone: string, utcMs: number): number | undefined {
	let format = offsetFormats.get(zone);
	if (format === undefined) {
		try {
			format = new Intl.DateTimeFormat('en-US', {timeZone: zone, timeZoneName: 'longOffset'});
		} catch {
			format = null;
		}
		offsetFormats.set(zone, format);
	}
	if (!format) return undefined;
	const name = format.formatToParts(utcMs).find(p => p.type === 'timeZoneName')?.value ?? '';
	const m = /([+-])(\d\d):?(\d\d)?/.exec(name);
	return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) : 0;
}

const shortFormats = new Map<string, Intl.DateTimeFormat>();

/** The zone's short name at an instant as Intl has it (`CDT`; `GMT+8` where English has no abbreviation). */
function shortName(zone: string, utcMs: number): string | undefined {
	let format = shortFormats.get(zone);
	if (!format) shortFormats.set(zone, (format = new Intl.DateTimeFormat('en-US', {timeZone: zone, timeZoneName: 'short'})));
	return format.formatToParts(utcMs).find(p => p.type === 'timeZoneName')?.value;
}

/** The offsets a wall-clock time may have in the zone: two in the hour the clocks go back, else one. */
export function offsetsAtWallTime(zone: string, wallMs: number): number[] {
	const out: number[] = [];
	for (const probe of [wallMs - day, wallMs, wallMs + day]) {
		const offset = zoneOffsetAt(zone, probe);
		if (offset === undefined) return [];
		if (!out.includes(offset) && zoneOffsetAt(zone, wallMs - offset * minute) === offset) out.push(offset);
	}
	// In the hour the clocks skip, no offset fits: read it as before the change, as Date does.
	if (out.length === 0) out.push(zoneOffsetAt(zone, wallMs - day)!);
	return out;
}

/**
 * The zone's offset at a wall time that fits an abbreviation of these meanings
 * (any, when the abbreviation is not in the table); undefined when none fits.
 */
function fitOffset(zone: string, wallMs: number, abbreviation: string, meanings: number[]): number | undefined {
	const offsets = offsetsAtWallTime(zone, wallMs).filter(o => meanings.length === 0 || meanings.includes(o));
	// In the hour that repeats both may fit (CST is also Havana's −05:00): the zone's own name for each decides.
	return offsets.length > 1 ? (offsets.find(o => shortName(zone, wallMs - o * minute) === abbreviation) ?? offsets[0]) : offsets[0];
}

/** `UTC−06:00`. */
export function formatOffset(minutes: number): string {
	const a = Math.abs(minutes);
	return `UTC${minutes < 0 ? '−' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

function numericOffset(zone: string): number | undefined {
	const m = /^([+-])(\d\d):?(\d\d)?$/.exec(zone);
	return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) : undefined;
}

export interface TimeReaderOptions {
	now: Date;
	/** The Postgres server's log_timezone (an IANA name), when read through SQL. */
	serverZone?: string | null;
	/** The zone of times written without one; this machine's by default. */
	hostZone?: string;
}

type Resolution = {offset: number; via: 'server' | 'table' | 'host'} | {offset: undefined; via: 'ambiguous' | 'unknown'};

/** Reads the timestamps of one log, remembering which zones it had to guess or could not read. */
export class TimeReader {
	readonly now: Date;
	private readonly cache = new Map<string, Resolution>();
	/** Abbreviations that were not read with certainty: for the step's notices. */
	private readonly doubtful = new Map<string, Resolution>();
	/** Looked up when first needed: Intl's time zone data costs ~8 MB, and a log in UTC never needs it. */
	private zones: {server: string | undefined; host: string} | undefined;

	constructor(private readonly options: TimeReaderOptions) {
		this.now = options.now;
	}

	private get serverZone(): string | undefined {
		return this.knownZones().server;
	}

	private get hostZone(): string {
		return this.knownZones().host;
	}

	private knownZones(): {server: string | undefined; host: string} {
		const valid = (zone: string | null | undefined) => (zone && zoneOffsetAt(zone, 0) !== undefined ? zone : undefined);
		return (this.zones ??= {server: valid(this.options.serverZone), host: valid(this.options.hostZone) ?? Intl.DateTimeFormat().resolvedOptions().timeZone});
	}

	/** The line's timestamp; null when it has none; unknownTime when its zone could not be read. */
	read(line: string): LineTime {
		const head = line.length > searchWidth ? line.slice(0, searchWidth) : line;
		const m = iso.exec(head);
		if (m) {
			const [, y, mo, d, h, mi, s, frac = '0', zone] = m;
			const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(frac.padEnd(3, '0').slice(0, 3)));
			if (!Number.isFinite(wall)) return null;
			const offset = this.offsetOf(zone && !notZones.has(zone) ? zone : undefined, wall);
			return offset === undefined ? unknownTime : new Date(wall - offset * minute);
		}
		const sm = syslog.exec(head);
		if (sm) {
			const [, mon, d, h, mi, s] = sm;
			const at = (year: number) => {
				const wall = Date.UTC(year, months.indexOf(mon!), Number(d), Number(h), Number(mi), Number(s));
				return new Date(wall - this.offsetOf(undefined, wall)! * minute);
			};
			// Syslog has no year: this year, unless that lies in the future (a December line read in January).
			const guess = at(this.now.getUTCFullYear());
			return guess.getTime() > this.now.getTime() + day ? at(this.now.getUTCFullYear() - 1) : guess;
		}
		return null;
	}

	/** Minutes east of UTC for a wall time written with `zone` (none: this machine's zone); undefined when unreadable. */
	private offsetOf(zone: string | undefined, wallMs: number): number | undefined {
		if (zone === undefined) return this.resolve('', wallMs).offset;
		if (utcNames.has(zone)) return 0;
		const numeric = numericOffset(zone);
		if (numeric !== undefined) return numeric;
		const resolution = this.resolve(zone, wallMs);
		// Only a guess (this machine's zone) or a failure is worth a notice: the server's zone and a unique meaning are certain.
		if ((resolution.via === 'host' || resolution.offset === undefined) && !this.doubtful.has(zone)) this.doubtful.set(zone, resolution);
		return resolution.offset;
	}

	private resolve(zone: string, wallMs: number): Resolution {
		const key = `${zone} ${Math.floor(wallMs / cacheMs)}`;
		let resolution = this.cache.get(key);
		if (!resolution) {
			resolution = zone === '' ? {offset: offsetsAtWallTime(this.hostZone, wallMs)[0]!, via: 'host'} : this.resolveAbbreviation(zone, wallMs);
			this.cache.set(key, resolution);
		}
		return resolution;
	}

	private resolveAbbreviation(abbreviation: string, wallMs: number): Resolution {
		const meanings = (zoneAbbreviations[abbreviation] ?? []).map(([minutes]) => minutes);
		// The server writes its own zone's abbreviation: any it uses at that time is it (the table may lag tzdata).
		if (this.serverZone) {
			const fit = fitOffset(this.serverZone, wallMs, abbreviation, meanings);
			if (fit !== undefined) return {offset: fit, via: 'server'};
		}
		if (meanings.length === 1) return {offset: meanings[0]!, via: 'table'};
		if (meanings.length === 0) return {offset: undefined, via: 'unknown'};
		const local = fitOffset(this.hostZone, wallMs, abbreviation, meanings);
		return local === undefined ? {offset: undefined, via: 'ambiguous'} : {offset: local, via: 'host'};
	}

	/** What the step should say about zones it guessed or could not read. */
	notices(): Notice[] {
		const out: Notice[] = [];
		for (const [abbreviation, resolution] of this.doubtful) {
			const name = escapeUntrusted(abbreviation);
			const meanings = (zoneAbbreviations[abbreviation] ?? []).map(([minutes, zone]) => `${formatOffset(minutes)} (${zone})`);
			const also = meanings.length > 0 ? `; ${name} stands for ${meanings.join(', ')}` : '';
			if (resolution.via === 'host')
				out.push({
					id: 'log-zone',
					severity: 'info',
					message: `Times in ${name} were read as ${formatOffset(resolution.offset!)}, the offset of this machine's zone ${this.hostZone}${also}`,
				});
			else
				out.push({
					id: 'log-zone',
					// A limit of the tool, not a finding about the incident: info, so it never changes the verdict.
					severity: 'info',
					message: `The time zone ${name} of this log ${resolution.via === 'ambiguous' ? `is ambiguous${also}` : 'is one pg500 does not know'}: those lines' times are unknown, so they were read whatever --log-since says and are not in the chart`,
				});
		}
		return out;
	}
}
