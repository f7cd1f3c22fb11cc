// Writes source/logs/zone-abbreviations.ts from the IANA time zone database
// installed on this machine (/usr/share/zoneinfo, TZif files): every zone
// abbreviation in use since `since` and the offsets it stands for, so a log's
// `CST` or `NST` can be read without a network or a system tzdata at run
// time. `npm run zones` after a tzdata release.
import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';

const zoneinfo = process.env.ZONEINFO ?? '/usr/share/zoneinfo';
const since = Date.UTC(2015, 0, 1) / 1000;
export const zoneTableFile = fileURLToPath(new URL('../source/logs/zone-abbreviations.ts', import.meta.url));

/** Zones named first when an abbreviation stands for an offset in several: the ones an operator recognises. */
const wellKnown = [
	'America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles', 'America/Anchorage', 'Pacific/Honolulu',
	'America/Halifax', 'America/St_Johns', 'America/Havana', 'America/Sao_Paulo', 'America/Mexico_City', 'America/Puerto_Rico',
	'Europe/London', 'Europe/Dublin', 'Europe/Lisbon', 'Europe/Berlin', 'Europe/Paris', 'Europe/Athens', 'Europe/Helsinki', 'Europe/Moscow',
	'Africa/Johannesburg', 'Africa/Maputo', 'Africa/Lagos', 'Africa/Nairobi', 'Africa/Cairo', 'Asia/Riyadh', 'Asia/Kolkata', 'Asia/Karachi', 'Asia/Jerusalem',
	'Asia/Shanghai', 'Asia/Taipei', 'Asia/Hong_Kong', 'Asia/Tokyo', 'Asia/Seoul', 'Asia/Manila', 'Asia/Jakarta', 'Australia/Sydney',
	'Australia/Adelaide', 'Australia/Perth', 'Pacific/Auckland', 'Pacific/Guam', 'Pacific/Pago_Pago',
];

interface ZoneType {
	offsetSeconds: number;
	abbreviation: string;
}

/** The types of a TZif file in use since `since` (its v2+ 64-bit block), and its POSIX TZ footer. */
function readTzif(file: string): {types: ZoneType[]; footer: string} {
	const b = readFileSync(file);
	if (b.toString('latin1', 0, 4) !== 'TZif') throw new Error(`${file}: not a TZif file`);
	const counts = (at: number) => [0, 1, 2, 3, 4, 5].map(i => b.readUInt32BE(at + 20 + i * 4)) as [number, number, number, number, number, number];
	const [isut1, isstd1, leap1, time1, type1, char1] = counts(0);
	const v1Size = time1 * 5 + type1 * 6 + char1 + leap1 * 8 + isstd1 + isut1;
	const header = 44 + v1Size;
	const [isut, isstd, leap, timecnt, typecnt, charcnt] = counts(header);
	let at = header + 44;
	const times = Array.from({length: timecnt}, (_, i) => Number(b.readBigInt64BE(at + i * 8)));
	at += timecnt * 8;
	const indexes = Array.from({length: timecnt}, (_, i) => b[at + i]!);
	at += timecnt;
	const infos = Array.from({length: typecnt}, (_, i) => ({offset: b.readInt32BE(at + i * 6), index: b[at + i * 6 + 5]!}));
	at += typecnt * 6;
	const chars = b.toString('latin1', at, at + charcnt);
	at += charcnt + leap * 12 + isstd + isut;
	const footer = b.toString('latin1', at).trim();
	const name = (index: number) => chars.slice(index, chars.indexOf('\0', index));
	const used = new Set<number>();
	let current = 0;
	times.forEach((t, i) => {
		if (t < since) current = indexes[i]!;
		else used.add(indexes[i]!);
	});
	used.add(current);
	return {types: [...used].map(i => ({offsetSeconds: infos[i]!.offset, abbreviation: name(infos[i]!.index)})), footer};
}

/** The abbreviations of a POSIX TZ string (`CST6CDT,M3.2.0,M11.1.0`, `IST-5:30`, `<+04>-4`). */
function footerTypes(tz: string): ZoneType[] {
	const m = /^([A-Za-z]{3,}|<[^>]+>)([+-]?\d{1,2}(?::\d\d){0,2})(?:([A-Za-z]{3,}|<[^>]+>)([+-]?\d{1,2}(?::\d\d){0,2})?)?/.exec(tz);
	if (!m) return [];
	const seconds = (text: string) => {
		const [h, mi = '0', s = '0'] = text.replace(/^[+-]/, '').split(':');
		return (text.startsWith('-') ? -1 : 1) * (Number(h) * 3600 + Number(mi) * 60 + Number(s));
	};
	// POSIX offsets are west of Greenwich: UTC−6 is written 6.
	const std = -seconds(m[2]!);
	const out = [{abbreviation: m[1]!, offsetSeconds: std}];
	if (m[3]) out.push({abbreviation: m[3], offsetSeconds: m[4] ? -seconds(m[4]) : std + 3600});
	return out;
}

/** The zones of zone1970.tab (today's names: Asia/Kolkata, not Asia/Calcutta), else those Intl knows. */
function zoneNames(): string[] {
	try {
		const tab = readFileSync(path.join(zoneinfo, 'zone1970.tab'), 'utf8');
		return tab.split('\n').filter(l => l && !l.startsWith('#')).map(l => l.split('\t')[2]!);
	} catch {
		return Intl.supportedValuesOf('timeZone');
	}
}

export function zoneTableText(): string {
	const table = new Map<string, Map<number, string[]>>();
	for (const zone of zoneNames()) {
		let tzif;
		try {
			tzif = readTzif(path.join(zoneinfo, zone));
		} catch {
			continue;
		}
		for (const {abbreviation, offsetSeconds} of [...tzif.types, ...footerTypes(tzif.footer)]) {
			// Numeric abbreviations (`+04`, `-0330`) are read as offsets; `LMT` is from before standard time.
			if (!/^[A-Za-z]+$/.test(abbreviation) || abbreviation === 'LMT') continue;
			const offsets = table.get(abbreviation) ?? new Map<number, string[]>();
			table.set(abbreviation, offsets);
			const minutes = Math.round(offsetSeconds / 60);
			offsets.set(minutes, [...(offsets.get(minutes) ?? []), zone]);
		}
	}
	const rank = (zone: string) => (wellKnown.includes(zone) ? wellKnown.indexOf(zone) : wellKnown.length);
	const lines = [...table.keys()].sort().map(abbreviation => {
		const meanings = [...table.get(abbreviation)!.entries()]
			.map(([minutes, zones]) => ({minutes, zone: zones.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))[0]!, zones: zones.length}))
			// The meaning most zones share first.
			.sort((a, b) => b.zones - a.zones || rank(a.zone) - rank(b.zone));
		return `\t${/^[A-Za-z_]\w*$/.test(abbreviation) ? abbreviation : JSON.stringify(abbreviation)}: [${meanings.map(m => `[${m.minutes}, '${m.zone}']`).join(', ')}],`;
	});
	const version = (() => {
		try {
			return /version (\S+)/.exec(readFileSync(path.join(zoneinfo, 'tzdata.zi'), 'latin1').slice(0, 100))?.[1] ?? 'unknown';
		} catch {
			return 'unknown';
		}
	})();
	return [
		`/* Generated by scripts/write-zone-abbreviations.ts from the IANA time zone database ${version}; do not edit.`,
		' * Every zone abbreviation in use since 2015, with the offsets (minutes east of UTC) it stands',
		' * for and a zone that uses each, the most widely used meaning first. */',
		'',
		'export const zoneAbbreviations: Readonly<Record<string, readonly (readonly [minutes: number, zone: string])[]>> = {',
		...lines,
		'};',
		'',
	].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	writeFileSync(zoneTableFile, zoneTableText());
	process.stdout.write(`wrote ${zoneTableFile}\n`);
}
