import {test} from 'node:test';
import assert from 'node:assert/strict';
import {readdirSync} from 'node:fs';
import path from 'node:path';
import {bin, journalEvents, panelOf, tmuxSkip, tmuxTestbed} from './tmux-support.ts';

/* `pg500 demo lock-chain` in an 80×24 tmux pane, walked as a new on-call
 * engineer walks it: every screen must be readable. The root blocker's pid
 * whole where it matters, no number cut short anywhere, a burst of arrows
 * moving as far as it was pressed; then at 120×40 the timeouts by their full
 * names. */

const skip = tmuxSkip;
const {tmux, alive, waitForPane, where} = tmuxTestbed('lock-chain');

function journal() {
	const files = readdirSync(path.join(where.dir, 'pg500')).filter(f => f.endsWith('.jsonl'));
	assert.equal(files.length, 1);
	return journalEvents(path.join(where.dir, 'pg500', files[0]!));
}

const finished = () => journal().filter(e => e.type === 'step-finished').length;

/** Every screen seen on the walk, checked as it is taken: a number cut short (`90…`) is unreadable. */
const screens: string[] = [];
function seen(screen: string): string {
	screens.push(screen);
	const cut = screen.split('\n').find(line => /\d…/.test(line));
	assert.equal(cut, undefined, `a number cut short on this screen:\n${screen}`);
	return screen;
}


async function show(what: string, predicate: (screen: string) => boolean): Promise<string> {
	return seen(await waitForPane('demo', predicate, what, 60_000));
}

const enterHint = (screen: string) => /Enter [^·\n]+/.exec(screen)?.[0];

/** Enter once, and the step's result once it is on the screen (what Enter does next has changed). */
async function runNext(what: string): Promise<string> {
	const before = finished();
	const hint = enterHint(tmux('capture-pane', '-p', '-t', 'demo'));
	tmux('send-keys', '-t', 'demo', 'Enter');
	for (let i = 0; i < 2400 && finished() === before; i++) await new Promise(resolve => setTimeout(resolve, 25));
	assert.ok(finished() > before, `${what} ran`);
	return show(what, s => !/running [\w/-]+…/.test(s) && enterHint(s) !== hint);
}

/** Pages through the panel shown, every page checked. */
async function pageThrough(what: string): Promise<void> {
	for (let page = 0; page < 20; page++) {
		const screen = await show(what, () => true);
		if (!/↓ \d+-\d+\/\d+/.test(screen)) return;
		tmux('send-keys', '-t', 'demo', 'PgDn');
		await waitForPane('demo', s => s !== screen, `${what}, page ${page + 2}`);
	}
}

test('lock-chain drill at 80×24, then 120×40: the root blocker whole, no number cut, arrows typed together all taken, timeouts by their names', {skip, timeout: 240_000}, async () => {
	tmux('new-session', '-d', '-s', 'demo', '-x', '80', '-y', '24', '-e', 'LANG=C.UTF-8', '-e', `XDG_STATE_HOME=${where.dir}`, `exec node ${bin} demo lock-chain`);
	await show('the first frame', s => s.includes('Enter run next: server-logs'));

	for (const step of ['server-logs', 'connect', 'pgbouncer', 'postgres-logs', 'connections']) {
		await runNext(step);
		await pageThrough(step);
	}
	let screen = await runNext('locks');
	const locks = journal().filter(e => e.type === 'step-finished' && e.stepId === 'locks').at(-1)!;
	const root = String(locks.outcome!.rows.find(r => r['kind'] === 'root')!['pid']);
	assert.match(root, /^\d+$/, 'the drill has a root blocker');
	assert.match(panelOf(screen), new RegExp(`pid ${root} \\(`), 'the locks step names the root blocker in its finding');
	await pageThrough('locks');

	// Its rows: the summary, then the root, its pid whole, the writers it holds up under it; the root's detail has every column.
	tmux('send-keys', '-t', 'demo', 'Right');
	screen = await show('the locks step’s rows', s => s.includes('Enter/→ detail') && new RegExp(`^${root} +idle in transaction`, 'm').test(panelOf(s)));
	assert.match(panelOf(screen), /^[└├]─ \d+ +active/m, 'the waiters under their root');
	tmux('send-keys', '-t', 'demo', 'Down', 'Enter');
	screen = await show('the root’s detail', s => s.includes(`Locks and deadlocks: pid ${root}`));
	assert.match(panelOf(screen), new RegExp(`^pid +${root}$`, 'm'));
	assert.match(panelOf(screen), /^query +UPDATE data_version SET version/m);
	assert.match(panelOf(screen), /^kind +root$/m, 'columns the step does not show are in the detail');
	tmux('send-keys', '-t', 'demo', 'Escape', 'Escape');
	await show('back to the locks step', s => s.includes('Enter run next: timeouts'));

	// Three arrows in one write: three steps up, three down.
	tmux('send-keys', '-t', 'demo', 'Up', 'Up', 'Up');
	await show('three steps up', s => panelOf(s).startsWith('- 3. PgBouncer pools'));
	tmux('send-keys', '-t', 'demo', 'Down', 'Down', 'Down');
	await show('three steps down', s => panelOf(s).startsWith('✖ 6. Locks and deadlocks'));

	for (const step of ['timeouts', 'schema', 'quick-check', 'code-review', 'next-steps']) {
		screen = await runNext(step);
		if (step === 'timeouts') for (const name of ['statement_timeout', 'lock_timeout', 'idle_in_tx_timeout', 'idle_session_timeout']) assert.match(panelOf(screen), new RegExp(`^${name} `, 'm'));
		await pageThrough(step);
	}

	// The causes and their fixes: three arrows move the list three items.
	tmux('send-keys', '-t', 'demo', 'Enter');
	screen = await show('the causes', s => s.includes('Choose the fix to follow'));
	assert.match(screen, /▸ ★ Clear the lock chain/);
	await pageThrough('the causes');
	tmux('send-keys', '-t', 'demo', 'Down', 'Down', 'Down');
	screen = await show('three items down', s => /▸ {3}\S/.test(s));
	const items = screen.split('\n').filter(l => /│ [▸ ] [★ ] \S/.test(l));
	assert.equal(items.findIndex(l => l.includes('▸')), 3, `the fourth fix highlighted:\n${screen}`);
	tmux('send-keys', '-t', 'demo', 'Up', 'Up', 'Up');
	await show('back to the first', s => s.includes('▸ ★ Clear the lock chain'));

	// The fix: its lock tree has the root whole, its waiters under it; → picks its first row, the root.
	screen = await runNext('the fix and its follow-ups');
	await waitForPane('demo', s => s.includes('Enter finish'), 'the follow-ups done');
	await pageThrough('the fix');
	tmux('send-keys', '-t', 'demo', 'Right');
	screen = await show('the lock tree’s rows', s => s.includes('Enter/→ detail') && new RegExp(`^${root} +idle in transaction`, 'm').test(panelOf(s)));
	assert.match(panelOf(screen), /^[└├]─ \d+ +active/m, 'its waiters hang under it');
	tmux('send-keys', '-t', 'demo', 'Enter');
	screen = await show('the root’s detail in the fix', s => s.includes(`Who waits for whom: pid ${root}`));
	assert.match(panelOf(screen), new RegExp(`^pid +${root}$`, 'm'));
	assert.match(panelOf(screen), /^state +idle in transaction$/m);
	tmux('send-keys', '-t', 'demo', 'Escape', 'Escape');
	await show('the fix again', s => s.includes('→ rows'));

	// At 120×40 the timeouts table shows every setting by its full name.
	tmux('resize-window', '-t', 'demo', '-x', '120', '-y', '40');
	tmux('send-keys', '-t', 'demo', 'Up', 'Up', 'Up', 'Up');
	screen = await show('the timeouts step at 120×40', s => panelOf(s).startsWith('✔ 7. Timeouts for the app'));
	for (const name of ['statement_timeout', 'statement_timeout_from', 'lock_timeout', 'idle_in_tx_timeout', 'idle_in_tx_timeout_from', 'idle_session_timeout', 'read_only'])
		assert.match(panelOf(screen), new RegExp(`^${name} +\\S`, 'm'), `${name} in full:\n${screen}`);
	assert.match(panelOf(screen), /^role +denokv$/m, 'the application’s role');

	tmux('send-keys', '-t', 'demo', 'q');
	for (let i = 0; i < 400 && alive('demo'); i++) await new Promise(resolve => setTimeout(resolve, 25));
	assert.ok(!alive('demo'), 'the demo ended on q');
	assert.ok(screens.length > 30, `${screens.length} screens checked`);
});
