import {test} from 'node:test';
import assert from 'node:assert/strict';
import {decidePermissions, planActions} from '../../source/engine/actions.ts';
import {initialState, reduce} from '../../source/engine/reducer.ts';
import type {Row, RunEvent, RunState} from '../../source/engine/types.ts';
import {parseKeys} from '../../source/ui/key-input.ts';
import type {KeyContext} from '../../source/ui/keymap.ts';
import {glyphsFor, type Glyphs} from '../../source/ui/glyphs.ts';
import {textWidth} from '../../source/ui/lines.ts';
import {screenOf} from '../../source/ui/screen.ts';
import {createKeyQueue} from '../../source/ui/use-guide-keys.ts';
import {guideReducer, type GuideAction, type GuideState} from '../../source/ui/use-guide-state.ts';
import {at, lockChainWithFix, runbook, t0} from './lock-chain-state.ts';

/* The screens of acting and verifying, from a state alone: the fix view's
 * numbered actions, the confirmation with the exact SQL, the verification,
 * the reconnect prompt whose password is never drawn, and a healthy run
 * where no fix is pre-selected. */

const utf8 = glyphsFor({LANG: 'C.UTF-8'});
const ascii = glyphsFor({LANG: 'C'});
const guide = (extra: Partial<GuideState> = {}): GuideState => ({view: 'fix', scroll: 0, list: 0, input: '', ...extra});

function frame(run: RunState, g: GuideState, glyphs: Glyphs = utf8, extra: {practice?: string; canReconnect?: boolean} = {}) {
	const screen = screenOf({run, guide: g, columns: 80, rows: 24, glyphs, now: t0 + 60_000, ...extra});
	const lines = screen.frame.map(l => l.segments.map(s => s.text).join(''));
	for (const line of lines) assert.ok(textWidth(line) <= 80, line);
	const panel = lines.map(l => (l.includes(glyphs.separator) ? l.slice(l.indexOf(glyphs.separator) + 2) : l)).join('\n');
	// The panel's prose as one line: wrapping depends on the width of each character.
	const flat = panel.replace(/\n +/g, ' ').replace(/\n/g, ' ');
	return {screen, text: lines.join('\n'), panel, flat};
}

const connect: RunEvent[] = [
	{type: 'step-started', at: at(2), stepId: 'connect'},
	{type: 'step-finished', at: at(3), stepId: 'connect', durationMs: 5, outcome: {rows: [{server_version_num: 180004, current_user: 'oncall', database: 'denokv', deadlocks: '0'}], rowCount: 1}},
];

/** The lock chain with the root's backend_start and xact_start (what the locks step records), the fix chosen, privileges read. */
function chainReady(signal = true): RunState {
	let run = connect.reduce(reduce, lockChainWithFix());
	const locks = run.steps.locks!;
	const rows = locks.rows.map((r: Row) => (r.kind === 'root' ? {...r, backend_start: '2026-11-29 02:59:00.5+00', xact_start: '2026-11-29 02:59:29.25+00'} : r));
	run = {...run, steps: {...run.steps, locks: {...locks, rows}}, diagnosis: {...run.diagnosis!, steps: {...run.diagnosis!.steps, locks: {...locks, rows}}}};
	const facts = {role: 'oncall', superuser: false, createrole: false, signal, serverVersionNum: 180004, database: 'denokv', databaseOwner: 'denokv', ownsDatabase: false, roles: [{role: 'denokv', exists: true, superuser: false, member: false, admin: false}]};
	return reduce(run, {type: 'actions-checked', at: at(15), fixId: 'fix-deadlocks', permissions: decidePermissions(planActions(run, 'fix-deadlocks'), facts)});
}

test('the fix view numbers the action, says what it touches, and offers its key', () => {
	const {panel, text, flat} = frame(chainReady(), guide(), utf8, {practice: 'Act and verify: 1 ends the root blocker.'});
	assert.match(panel, /^Drill: Act and verify: 1 ends the root blocker\.$/m);
	assert.match(panel, /^\[1\] End the root blocker of the lock chain$/m);
	assert.match(flat, /\[1\] End the root blocker of the lock chain pid 904512 \(denokv\/注文サービス, idle in transaction, in its transaction for 31 s\): its transaction is rolled back/);
	assert.match(text, /1-9 act/);
	assert.match(text, /v verify/);
});

test('not offered: the reason and the GRANT; without backend_start, why a pid cannot be trusted', () => {
	const {panel, text, flat} = frame(chainReady(false), guide({scroll: 8}));
	assert.match(panel, /^\[1\] End the root blocker of the lock chain$/m);
	assert.match(flat, /not offered: role "oncall" may not signal "denokv"'s sessions: that takes pg_signal_backend/);
	assert.match(panel, /^ {6}GRANT pg_signal_backend TO "oncall";$/m);
	assert.doesNotMatch(text, /1-9 act/, 'nothing to act on: no key offered');
	// The lock-chain state as older runbooks recorded it: no backend_start.
	const old = connect.reduce(reduce, lockChainWithFix());
	assert.match(frame(old, guide()).flat, /not offered: the check did not record when session 904512 started: pg500 cannot tell it from a recycled pid/);
});

test('the confirmation: the exact SQL with its values, what it touches, how to answer; ASCII without UTF-8', () => {
	const run = chainReady();
	const {panel, text, screen, flat} = frame(run, guide({overlay: 'act', act: 'end-root-blocker'}));
	assert.match(panel, /^\[1\] End the root blocker of the lock chain$/m);
	assert.match(panel, /^ {2}> SELECT pg_terminate_backend\(904512, 5000\)$/m);
	assert.match(flat, /· pid 904512 \(denokv\/注文サービス, idle in transaction, in its transaction for 31 s\)/);
	assert.match(flat, /the same pid, started at the same time, in the same transaction/);
	assert.match(panel, /^yes to run it: +$/m);
	assert.equal(screen.input?.label, 'yes to run it: ');
	assert.match(text, /Enter answer · Esc cancel/);
	const plain = frame(run, guide({overlay: 'act', act: 'end-root-blocker'}), ascii).text;
	for (const line of plain.split('\n')) assert.match(line, /^[\x20-\x7e]*$/, line);
});

test('after an action, the verification comes first in the fix view: each figure before → after', () => {
	let run = chainReady();
	run = reduce(run, {type: 'verified', at: at(20), fixId: 'fix-deadlocks', causeId: 'deadlocks', observations: [{stepId: 'locks', at: at(20), durationMs: 9, outcome: {rows: [{kind: 'summary', blocks: '0', wait_s: null, waiting_long: '0', deadlocks: '0'}], rowCount: 1}}]});
	const {screen, panel} = frame(run, guide());
	assert.ok(screen.shown.length > 0);
	const lines = panel.split('\n');
	const head = lines.findIndex(l => /^✔ Verification at 03:00:20 UTC: cleared$/.test(l));
	assert.ok(head >= 0 && head < 8, `on the first screen:\n${panel}`);
	assert.ok(lines.includes('  ✔ waiting ≥ 1 s: 6 → 0'), panel);
	assert.ok(lines.includes('  ✔ root blockers: 1 → 0'), panel);
});

test('the reconnect prompt: the role or URL in sight, the password never drawn', () => {
	const run = chainReady();
	let {panel} = frame(run, guide({overlay: 'login', input: 'postgres'}), utf8, {canReconnect: true});
	assert.match(panel, /^Connect as another role or target$/m);
	assert.match(panel, /^Role or postgres:\/\/ URL: postgres +$/m);
	({panel} = frame(run, guide({overlay: 'password', login: 'postgres', input: 'hunter2-secret'}), utf8, {canReconnect: true}));
	assert.doesNotMatch(panel, /hunter2|\*{3}/);
	assert.match(panel, /^Password for postgres \(hidden\): +$/m);
	// Leaving the prompt forgets what was typed.
	const left = guideReducer(guide({overlay: 'password', login: 'postgres', input: 'hunter2-secret'}), {type: 'overlay'});
	assert.deepEqual([left.input, left.login], ['', undefined]);
});

test('every slot taken: the fix view says a superuser can still connect, and u is the way', () => {
	let run = reduce(initialState(runbook), {type: 'run-started', at: at(0), tool: {name: 'pg500', version: 't'}, target: {host: 'db', port: 5432, database: 'denokv', user: 'oncall', serverVersion: null}, runbookPath: 'x'});
	run = reduce(reduce(run, {type: 'step-started', at: at(1), stepId: 'connect'}), {type: 'step-finished', at: at(2), stepId: 'connect', durationMs: 3, outcome: {rows: [{failure: 'reserved-slots', message: 'remaining connection slots are reserved for roles with the SUPERUSER attribute'}], rowCount: 1}});
	run = reduce(run, {type: 'fix-chosen', at: at(3), fixId: 'fix-pool-exhaustion', by: 'operator'});
	const {panel, text} = frame(run, guide(), utf8, {canReconnect: true});
	assert.match(panel.replace(/\n/g, ' '), /Every client slot is taken, so pg500 could not look\. PostgreSQL keeps superuser_reserved_connections slots \(3 by default\) for superusers: u reconnects as one/);
	assert.match(text, /u reconnect as…/);
});

test('nothing likely: no fix pre-selected — the first item finishes without one — and where to look next', () => {
	let run = reduce(initialState(runbook), {type: 'run-started', at: at(0), tool: {name: 'pg500', version: 't'}, target: {host: 'db-7', port: 5433, database: 'denokv', user: 'oncall', serverVersion: null}, runbookPath: 'x'});
	for (const s of runbook.steps) run = reduce(reduce(run, {type: 'step-started', at: at(1), stepId: s.id}), {type: 'step-finished', at: at(2), stepId: s.id, durationMs: 1, outcome: {rows: [], rowCount: 0}});
	const {screen, panel, flat} = frame(run, guide({view: 'causes'}));
	assert.equal(screen.list?.title, 'No cause is likely. Finish, or choose a fix anyway:');
	assert.equal(screen.list?.items[0]?.value, '');
	assert.match(panel, /^▸ {3}No fix: nothing here explains the errors \(finish\)$/m);
	assert.match(flat, /Where to look next: PostgreSQL looks healthy from here/);
	assert.match(frame(run, guide({view: 'causes', scroll: 4})).flat, /pg_isready -h db-7 -p 5433/);
});

/** The keys of the act overlay, through the one key queue: what the operator's keys send to the session. */
function keysAt(overlay: Partial<GuideState>, typed: string) {
	let g = guide(overlay);
	const calls: string[] = [];
	const dispatch = (a: GuideAction) => (g = guideReducer(g, a));
	const screen = {entries: [], maxScroll: 0, page: 1, linesHeight: 10, onScreen: []} as unknown as KeyContext['screen'];
	const context = (): KeyContext => ({run: chainReady(), guide: g, screen, extras: {logInput: false, quiz: false, reconnect: true}});
	const actions = {
		answerAction: (text: string) => calls.push(`answer ${JSON.stringify(text)}`),
		openAction: (n: number) => {
			calls.push(`open ${n}`);
			dispatch({type: 'confirm-action', actionId: 'end-root-blocker'});
		},
		askPassword: (login: string) => calls.push(`login ${login}`),
		verify: () => calls.push('verify'),
	} as unknown as Parameters<typeof createKeyQueue>[0]['effects']['actions'];
	const queue = createKeyQueue({context, effects: {actions, dispatch}});
	for (const key of parseKeys(typed)) queue.push(key);
	return calls;
}

test('keys: 1 opens the confirmation, y e s Enter answers yes; Esc is an answer too (journaled); v verifies', () => {
	assert.deepEqual(keysAt({}, '1yes\r'), ['open 1', 'answer "yes"']);
	assert.deepEqual(keysAt({}, '1no\r'), ['open 1', 'answer "no"']);
	assert.deepEqual(keysAt({}, '1\u001b'), ['open 1', 'answer ""']);
	assert.deepEqual(keysAt({}, 'v'), ['verify']);
	// While typing the role, letters are text, not keys: `v` does not verify.
	assert.deepEqual(keysAt({overlay: 'login'}, 'dev\r'), ['login dev']);
});

test('nothing likely: Enter on the first item finishes without a fix; Down then Enter still chooses one', () => {
	const calls: string[] = [];
	let g = guide({view: 'causes'});
	const dispatch = (a: GuideAction) => (g = guideReducer(g, a));
	const list = {kind: 'fix', title: '', items: [{value: '', label: 'No fix'}, {value: 'fix-pool-exhaustion', label: 'Free'}], height: 3};
	const screen = {entries: [], list, maxScroll: 0, page: 1, linesHeight: 10, onScreen: []} as unknown as KeyContext['screen'];
	const context = (): KeyContext => ({run: chainReady(), guide: g, screen, extras: {logInput: false, quiz: false}});
	const actions = {finish: () => calls.push('finish'), chooseFix: (id: string) => calls.push(`choose ${id}`)} as unknown as Parameters<typeof createKeyQueue>[0]['effects']['actions'];
	const queue = createKeyQueue({context, effects: {actions, dispatch}});
	for (const key of parseKeys('\r')) queue.push(key);
	g = guide({view: 'causes'});
	for (const key of parseKeys('\u001b[B\r')) queue.push(key);
	assert.deepEqual(calls, ['finish', 'choose fix-pool-exhaustion']);
});
