import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {render} from 'ink-testing-library';
import {glyphsFor} from '../../source/ui/glyphs.ts';
import {Guide} from '../../source/ui/guide.tsx';
import {startTestServer, type TestServer} from '../support/pg.ts';
import {keys, press, waitForFrame} from './frames.ts';
import {guideSession} from './guide-session.ts';

/* A check the safe session cancels: the panel says why and what to do, and the run goes on. */

let server: TestServer;
let dir: string;
before(async () => {
	server = await startTestServer();
	dir = await mkdtemp(path.join(os.tmpdir(), 'pg500-ui-error-'));
});
after(async () => {
	await server?.stop();
	await rm(dir, {recursive: true, force: true});
});

/** The panel's text (right of the separator) as one line, so wrapped prose reads as written. */
function panelText(frame: string): string {
	return frame
		.split('\n')
		.map(l => (l.includes('│') ? l.slice(l.indexOf('│') + 1).trim() : ''))
		.join(' ')
		.replace(/\s+/g, ' ');
}

const runbookText = `
id: error-test
title: Error panel test
steps:
  - id: connect
    title: Connect to the database
    why: Nothing else works without a connection.
    kind: connect
  - id: slow
    title: A check slower than the cap
    why: The server is too slow to answer in time.
    kind: sql
    query: select pg_sleep(10) as slept
  - id: settings
    title: Max connections
    why: How many sessions the server takes.
    kind: sql
    query: select setting::int as max_connections from pg_settings where name = 'max_connections'
causes:
  - id: slow-server
    title: The server is slow
    symptom: checks time out
    check: slow
    fix: look
fixes:
  - id: look
    title: Look at the load
    summary: Find what keeps it busy.
    actions:
      - Read pg_stat_activity.
`;

test('a check cancelled by the statement timeout: why, what to do, and Enter goes on to the next step', async () => {
	const db = await server.createDatabase();
	const {executor, journal, session} = guideSession({runbookText, name: 'error-test.yaml', url: server.url(db), dir, statementTimeout: 200});
	const effects = {session, exit: () => {}, clipboard: () => {}};
	const ui = render(<Guide effects={effects} glyphs={glyphsFor({LANG: 'C.UTF-8'})} color={false} />);
	try {
		await press(ui, keys.enter, 'Enter');
		await waitForFrame(ui.lastFrame, f => f.includes('nothing anomalous'), 'connected');
		await press(ui, keys.enter, 'Enter');
		const frame = await waitForFrame(ui.lastFrame, f => f.includes('Could not run'), 'the error panel');
		const panel = panelText(frame);
		assert.match(panel, /✖ Could not run: canceling statement due to statement timeout/);
		assert.match(panel, /What to do: the check ran longer than 200 ms and was cancelled: the server is slow or overloaded; --statement-timeout raises the cap/);
		assert.match(panel, /The run goes on: Enter continues, r tries this step again\./);
		assert.match(frame, /✖ 2 A check slower/, 'the checklist marks the step as an error');
		assert.match(frame, /Enter run next: settings/);
		assert.equal(session.getState().run.steps['slow']!.error?.sqlstate, '57014');

		// The session survived the cancel: the next check runs on it.
		await press(ui, keys.enter, 'Enter');
		const next = await waitForFrame(ui.lastFrame, f => /max_connections +\d+/.test(f), 'the next step run');
		assert.match(next, /✔ 3\. Max connections/);
		assert.equal(session.getState().run.steps['settings']!.status, 'ok');
	} finally {
		ui.unmount();
		journal.close();
		await executor.close();
	}
});
