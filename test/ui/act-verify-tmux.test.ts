import {test} from 'node:test';
import assert from 'node:assert/strict';
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import {bin, journalEvents, panelOf, tmuxSkip, tmuxTestbed} from './tmux-support.ts';

/* `pg500 demo lock-chain` in an 80×24 tmux pane, from the first step to
 * "cleared", with the keys a person presses — each sent once, some typed
 * ahead in one burst while a step runs: Enter through the runbook, Enter
 * for the recommended fix, 1 for its first action, yes and Enter. */

const skip = tmuxSkip;
const {tmux, waitForPane, where} = tmuxTestbed('act-verify');

const keys = (...names: string[]) => tmux('send-keys', '-t', 'demo', ...names);
const screenNow = () => tmux('capture-pane', '-p', '-t', 'demo');

function journal() {
	const dir = path.join(where.dir, 'pg500');
	const files = readdirSync(dir).filter(f => f.endsWith('.jsonl'));
	assert.equal(files.length, 1);
	return journalEvents(path.join(dir, files[0]!)) as (ReturnType<typeof journalEvents>[number] & {actionId?: string; status?: string; sql?: string; operator?: string; target?: {pid?: number}})[];
}

/** What another session sees on the drill's server (found from the header), as its superuser. */
async function onDrill(port: string, sql: string): Promise<Record<string, unknown>[]> {
	const client = new pg.Client({connectionString: `postgres://postgres@127.0.0.1:${port}/denokv`});
	await client.connect();
	try {
		return (await client.query(sql)).rows;
	} finally {
		await client.end();
	}
}

test('lock-chain from the first step to "cleared" with the keys a person presses: Enter ×13, 1, y e s Enter', {skip, timeout: 240_000}, async () => {
	tmux('new-session', '-d', '-s', 'demo', '-x', '80', '-y', '24', '-e', 'LANG=C.UTF-8', '-e', `XDG_STATE_HOME=${where.dir}`, `exec node ${bin} demo lock-chain`);
	let screen = await waitForPane('demo', s => s.includes('Enter run next: server-logs'), 'the first frame', 60_000);
	const port = /oncall@127\.0\.0\.1:(\d+)\/denokv/.exec(screen)![1]!;
	// Under the drill's write load a writer always waits some milliseconds for the data_version row: what counts is a wait of a second.
	const waiting = async () => Number((await onDrill(port, "SELECT count(*) AS n FROM pg_locks WHERE NOT granted AND now() - waitstart > interval '1 second'"))[0]!.n);
	assert.ok((await waiting()) >= 6, 'the writers wait on the root blocker');

	// The eleven steps, typed ahead in one burst: each Enter waits for the step before it.
	keys(...Array(11).fill('Enter'));
	screen = await waitForPane('demo', s => s.includes('Enter see the causes'), 'every step run', 120_000);
	assert.equal(journal().filter(e => e.type === 'step-finished').length, 11);
	keys('Enter');
	screen = await waitForPane('demo', s => s.includes('▸ ★ Clear the lock chain'), 'the causes, the lock chain recommended');

	// The recommended fix, and — typed ahead while its checks and privileges are read — its first action.
	keys('Enter', '1');
	screen = await waitForPane('demo', s => s.includes('yes to run it:'), 'the confirmation', 60_000);
	const root = String(journal().filter(e => e.type === 'step-finished' && e.stepId === 'locks').at(-1)!.outcome!.rows.find(r => r['kind'] === 'root')!['pid']);
	assert.match(panelOf(screen), /^\[1\] End the root blocker of the lock chain$/m);
	assert.match(panelOf(screen), new RegExp(`^  > SELECT pg_terminate_backend\\(${root}, 5000\\)$`, 'm'), `the exact SQL with the root's pid:\n${screen}`);
	assert.match(panelOf(screen), new RegExp(`^· pid ${root} \\(denokv/denokv, idle in transaction, in`, 'm'), 'what it touches');
	assert.match(screen, /Enter answer · Esc cancel/);
	assert.equal(journal().filter(e => e.type === 'action-taken').length, 0, 'nothing done before the answer');

	keys('y', 'e', 's', 'Enter');
	// The panel first, then the message line once the intent is done.
	screen = await waitForPane('demo', s => /✔ Verification at \d\d:\d\d:\d\d UTC: cleared/.test(s) && s.includes('ℹ Cleared:'), '"cleared"', 60_000);
	assert.match(panelOf(screen), /^ {2}✔ waiting ≥ 1 s: \d+ → 0$/m);
	assert.match(panelOf(screen), /^ {2}✔ root blockers: 1 → 0$/m);
	assert.match(screen, /ℹ Cleared: root blockers 1 → 0/);
	assert.equal(await waiting(), 0, 'the writers went on');
	const events = journal();
	const acted = events.filter(e => e.type === 'action-taken');
	assert.deepEqual(acted.map(e => [e.actionId, e.status, e.sql, e.target?.pid]), [['end-root-blocker', 'done', `SELECT pg_terminate_backend(${root}, 5000)`, Number(root)]]);
	assert.match(acted[0]!.operator ?? '', /^.+@.+$/, 'who answered: user@host');
	assert.equal(events.filter(e => e.type === 'verified').length, 1);

	// Finish, export: the report keeps the diagnosis and says what was done and seen.
	keys('Enter', 'e');
	screen = await waitForPane('demo', s => s.includes('Report written') && s.includes('For the incident channel:'), 'the export and its summary');
	assert.match(panelOf(screen).replace(/\s+/g, ' '), new RegExp(`Actions: End the root blocker of the lock chain on pid ${root}: done`), 'the summary says what was done');
	const exported = journal().find(e => e.type === 'report-exported')!;
	const report = readFileSync(exported.path!, 'utf8');
	assert.match(report, /## Causes, most likely first\n\n1\. \*\*Transaction deadlocks and lock contention\*\* — likely/);
	assert.match(report, new RegExp(`- ✔ \\*\\*done\\*\\* — End the root blocker of the lock chain — pid ${root} \\(backend started`));
	assert.match(report, /\*\*✔ cleared: every figure of deadlocks is back to normal\*\*/);
	keys('q');
	await waitForPane('demo', s => !s.includes('pg500 ·'), 'the tool gone', 30_000).catch(() => screenNow());
});
