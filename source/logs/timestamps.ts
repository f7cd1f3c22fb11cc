/* Timestamps of the common log formats, found near the start of a line:
 * RFC 3339 / ISO (`2026-11-26T10:00:00.123Z`, docker -t, JSON fields),
 * env_logger (`[2026-11-26T10:00:00Z ERROR denokv]`), Postgres %m / %t / csvlog
 * (`2026-11-26 10:00:00.123 UTC`), syslog / journal (`Nov 26 10:00:00`). */

const iso = /(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?(?: ?(Z|[+-]\d\d(?::?\d\d)?|[A-Z]{2,5}))?/;
const syslog = /^(?:<\d+>)?(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +(\d{1,2}) (\d\d):(\d\d):(\d\d)/;
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Zone abbreviations Postgres writes for common log_timezone settings, in minutes east of UTC. */
const zones: Record<string, number> = {
	UTC: 0, GMT: 0, UCT: 0, Z: 0, WET: 0, WEST: 60, BST: 60, CET: 60, CEST: 120, EET: 120, EEST: 180, MSK: 180,
	EST: -300, EDT: -240, CST: -360, CDT: -300, MST: -420, MDT: -360, PST: -480, PDT: -420, AKST: -540, AKDT: -480,
	HST: -600, JST: 540, KST: 540, AEST: 600, AEDT: 660, NZST: 720, NZDT: 780,
};

/** How far into a line a timestamp may start (JSON logs put it after a key or two). */
const searchWidth = 160;

function zoneOffset(zone: string | undefined): number | undefined {
	if (!zone) return undefined;
	if (zone in zones) return zones[zone];
	const m = /^([+-])(\d\d):?(\d\d)?$/.exec(zone);
	if (!m) return undefined;
	return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}

/** The line's timestamp, or null. Times without a known zone are taken as local time. */
export function parseTimestamp(line: string, now: Date): Date | null {
	const head = line.length > searchWidth ? line.slice(0, searchWidth) : line;
	const m = iso.exec(head);
	if (m) {
		const [, y, mo, d, h, mi, s, frac = '0', zone] = m;
		const ms = Number(frac.padEnd(3, '0').slice(0, 3));
		const offset = zoneOffset(zone);
		const time =
			offset === undefined
				? new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms).getTime()
				: Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms) - offset * 60_000;
		return Number.isFinite(time) ? new Date(time) : null;
	}
	const sm = syslog.exec(head);
	if (sm) {
		const [, mon, d, h, mi, s] = sm;
		const at = (year: number) => new Date(year, months.indexOf(mon!), Number(d), Number(h), Number(mi), Number(s));
		// Syslog has no year: this year, unless that lies in the future (a December line read in January).
		const guess = at(now.getFullYear());
		return guess.getTime() > now.getTime() + 86_400_000 ? at(now.getFullYear() - 1) : guess;
	}
	return null;
}
