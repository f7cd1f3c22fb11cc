import {after, before, test} from 'node:test';
import assert from 'node:assert/strict';
import {readFile} from 'node:fs/promises';
import {runLogStep} from '../../source/logs/run-log-step.ts';
import {TimeReader, unknownTime, zoneOffsetAt} from '../../source/logs/timestamps.ts';
import {zoneAbbreviations} from '../../source/logs/zone-abbreviations.ts';
import type {TestServer} from '../support/pg.ts';
import {byClass, logFilePath, logText, postgresLogStep, relog, sqlOf, startLoggingServer} from './helpers.ts';

/* A PostgreSQL log written in the server's log_timezone, read as an operator
 * reads it in the last hour of an incident (--log-since 60). CST is Central
 * time in America/Chicago and China time in Asia/Shanghai; AST, NST and IST
 * are not in a short table; Asia/Dubai writes a numeric +04. Each zone is set
 * on a real server, which writes a real error in it. */

let server: TestServer;
before(async () => {
	server = await startLoggingServer({log_destination: 'stderr', log_line_prefix: '%m [%p] '});
});
after(() => server.stop());

/** The zones, each with the abbreviations it writes (standard or summer time, whenever the test runs). */
const zones: [zone: string, abbreviations: RegExp][] = [
	['America/Chicago', /^C[SD]T$/],
	['Asia/Shanghai', /^CST$/],
	['America/Halifax', /^A[SD]T$/],
	['America/St_Johns', /^N[SD]T$/],
	['Asia/Kolkata', /^IST$/],
	['Asia/Dubai', /^\+04$/],
];

/** Writes one real error (a missing table) in `zone` to a file of its own; returns the file's path. */
async function errorIn(zone: string, fileName: string): Promise<string> {
	await relog(server, {log_timezone: zone}, fileName);
	await assert.rejects(server.sql('postgres', `SELECT * FROM missing_in_${fileName.replace(/\W/g, '_')}`), {code: '42P01'});
	const file = await logFilePath(server, fileName);
	await logText(file, 'ERROR:');
	return file;
}

const minutesFromNow = (iso: unknown) => Math.abs(Date.parse(String(iso)) - Date.now()) / 60_000;

test('through SQL, each zone is read with the server’s log_timezone: the error of a minute ago is in the last hour', async () => {
	const client = await server.connect('postgres');
	for (const [zone, abbreviations] of zones) {
		const file = await errorIn(zone, `${zone.replace('/', '-')}.log`);
		const line = (await readFile(file, 'utf8')).split('\n').find(l => l.includes('ERROR:'))!;
		assert.match(line.split(' ')[2]!, abbreviations, `${zone} writes ${line}`);
		const outcome = await runLogStep(postgresLogStep, {sql: sqlOf(client), tailBytes: 64 << 20, sinceMinutes: 60});
		const missing = byClass(outcome.rows, 'missing-relation');
		assert.equal(missing?.count, 1, `${zone}: ${JSON.stringify(outcome.notices)}`);
		assert.ok(minutesFromNow(missing.last_seen) < 2, `${zone}: ${line} read as ${missing.last_seen}`);
		assert.deepEqual(outcome.notices?.map(n => n.id), ['log-window'], `${zone}: nothing to say about the zone`);
	}
});

test('a file named with --pg-log while connected is read with the server’s zone too', async () => {
	const client = await server.connect('postgres');
	const file = await errorIn('Asia/Shanghai', 'shanghai-named.log');
	const outcome = await runLogStep(postgresLogStep, {pgLog: file, sql: sqlOf(client), tailBytes: 64 << 20, sinceMinutes: 60});
	assert.ok(minutesFromNow(byClass(outcome.rows, 'missing-relation')?.last_seen) < 2);
});

test('without the server: CST is ambiguous, so its lines are read whatever --log-since says, and the step says why', async () => {
	const file = await errorIn('Asia/Shanghai', 'shanghai-alone.log');
	const outcome = await runLogStep(postgresLogStep, {pgLog: file, tailBytes: 64 << 20, sinceMinutes: 60, hostZone: 'Europe/Berlin'});
	const missing = byClass(outcome.rows, 'missing-relation');
	assert.equal(missing?.count, 1, 'never dropped');
	assert.equal(missing.last_seen, null, 'its time is unknown');
	assert.match(outcome.notices?.[0]?.message ?? '', /every line from the first whose time zone could not be read/);
	const zone = outcome.notices?.find(n => n.id === 'log-zone');
	assert.equal(zone?.severity, 'info');
	assert.equal(
		zone?.message,
		'The time zone CST of this log is ambiguous; CST stands for UTC−06:00 (America/Chicago), UTC+08:00 (Asia/Shanghai), UTC−05:00 (America/Havana): those lines’ times are unknown, so they were read whatever --log-since says and are not in the chart'.replace('’', "'"),
	);

	// On a machine in that zone the abbreviation is read with it, and the step says so.
	const local = await runLogStep(postgresLogStep, {pgLog: file, tailBytes: 64 << 20, sinceMinutes: 60, hostZone: 'Asia/Shanghai'});
	assert.ok(minutesFromNow(byClass(local.rows, 'missing-relation')?.last_seen) < 2);
	assert.match(local.notices?.find(n => n.id === 'log-zone')?.message ?? '', /^Times in CST were read as UTC\+08:00, the offset of this machine's zone Asia\/Shanghai; CST stands for /);
});

test('without the server: AST, NST, IST on a machine in that zone, and numeric offsets, are read', async () => {
	for (const [zone, hostZone] of [
		['America/Halifax', 'UTC'],
		['America/St_Johns', 'UTC'],
		['Asia/Kolkata', 'Asia/Kolkata'],
		['Asia/Dubai', 'UTC'],
	] as const) {
		const file = await errorIn(zone, `${zone.replace('/', '-')}-alone.log`);
		const outcome = await runLogStep(postgresLogStep, {pgLog: file, tailBytes: 64 << 20, sinceMinutes: 60, hostZone});
		assert.ok(minutesFromNow(byClass(outcome.rows, 'missing-relation')?.last_seen) < 2, `${zone}: ${JSON.stringify(outcome.rows)}`);
	}
});

test('zone arithmetic: daylight saving time, the hour that repeats, an unknown zone', () => {
	const now = new Date('2026-11-26T12:00:00Z');
	const reader = new TimeReader({now, hostZone: 'UTC'});
	const read = (line: string) => {
		const t = reader.read(line);
		return t instanceof Date ? t.toISOString() : t;
	};
	assert.equal(read('2026-07-01 10:00:00.000 EDT [1] ERROR:  x'), '2026-07-01T14:00:00.000Z');
	// CDT is Chicago's and Havana's summer time: read on a machine in Chicago, it is Chicago's.
	assert.equal(read('2026-07-01 10:00:00 CDT'), unknownTime);
	assert.equal((new TimeReader({now, hostZone: 'America/Chicago'}).read('2026-07-01 10:00:00 CDT') as Date).toISOString(), '2026-07-01T15:00:00.000Z');
	assert.equal(read('2026-11-26 10:00:00 NST'), '2026-11-26T13:30:00.000Z');
	assert.equal(read('2026-11-26 10:00:00.5 +0530'), '2026-11-26T04:30:00.500Z');
	assert.equal(read('2026-11-26 10:00:00 XYZT'), unknownTime);
	// Not a zone: a level after a timestamp in another format is local (here UTC) time.
	assert.equal(read('2026-11-26 10:00:00,123 ERROR boom'), '2026-11-26T10:00:00.123Z');
	// The first 01:30 of 1 November 2026 in Chicago is CDT, the second CST: the abbreviation tells them apart.
	const chicago = new TimeReader({now, serverZone: 'America/Chicago'});
	assert.equal((chicago.read('2026-11-01 01:30:00 CDT') as Date).toISOString(), '2026-11-01T06:30:00.000Z');
	assert.equal((chicago.read('2026-11-01 01:30:00 CST') as Date).toISOString(), '2026-11-01T07:30:00.000Z');
	assert.equal((new TimeReader({now, serverZone: 'Asia/Shanghai'}).read('2026-11-26 20:00:00 CST') as Date).toISOString(), '2026-11-26T12:00:00.000Z');
	assert.match(reader.notices().find(n => n.message.includes('XYZT'))?.message ?? '', /XYZT of this log is one pg500 does not know/);
});

test('the generated abbreviation table agrees with Intl: each zone it names had that offset in the years it covers', () => {
	const months = Array.from({length: 12 * 12}, (_, i) => Date.UTC(2015 + Math.floor(i / 12), i % 12, 15));
	for (const [abbreviation, meanings] of Object.entries(zoneAbbreviations))
		for (const [minutes, zone] of meanings) assert.ok(months.some(t => zoneOffsetAt(zone, t) === minutes), `${abbreviation}: ${zone} never at ${minutes} min`);
	assert.deepEqual(zoneAbbreviations.CST?.map(([m]) => m).sort((a, b) => a - b), [-360, -300, 480]);
	assert.deepEqual(zoneAbbreviations.NST, [[-210, 'America/St_Johns']]);
});
