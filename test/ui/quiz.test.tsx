import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {render} from 'ink-testing-library';
import {createExecutor} from '../../source/session/create-executor.ts';
import {guidedSession} from '../../source/commands/open-guide.ts';
import {startDrill, type Drill} from '../../source/drill/drill.ts';
import {startQuiz, type QuizHook} from '../../source/drill/quiz.ts';
import {scenarios, type Scenario} from '../../source/drill/scenarios.ts';
import {initialState} from '../../source/engine/reducer.ts';
import {readJournal} from '../../source/journal/read.ts';
import {openJournal} from '../../source/journal/write.ts';
import {readDefaultRunbook} from '../../source/runbook/default-runbook.ts';
import {loadRunbook} from '../../source/runbook/load.ts';
import {glyphsFor} from '../../source/ui/glyphs.ts';
import {Guide} from '../../source/ui/guide.tsx';
import {keys, press, unstyled, waitForFrame} from './frames.ts';

/* `pg500 demo --quiz` on a real drill: the lock chain, picked the way the
 * demo picks (a random number), walked with the default runbook. */

let drill: Drill;
let scenario: Scenario;
let quiz: QuizHook;
let dir: string;
before(async () => {
	const index = scenarios.findIndex(s => s.id === 'lock-chain');
	({scenario, hook: quiz} = startQuiz(() => (index + 0.5) / scenarios.length));
	drill = await startDrill(scenario);
	dir = await mkdtemp(path.join(os.tmpdir(), 'pg500-ui-quiz-'));
});
after(async () => {
	await drill?.dispose();
	await rm(dir, {recursive: true, force: true});
});

test('quiz: the walk never shows the drill; at the end, name the cause, then the reveal, in the report too', async () => {
	assert.equal(scenario.id, 'lock-chain');
	const runbook = await loadRunbook();
	const executor = createExecutor({url: drill.targetUrl, serverLog: drill.serverLogPath, pgLog: drill.server.pgLogPath, statementTimeout: 5000, logTailMb: 64, color: false}, {});
	const journal = openJournal({dir, runbookPath: runbook.path, runbookText: readDefaultRunbook(), target: executor.target, options: {}});
	const session = guidedSession({state: initialState(runbook), executor, journal, report: {format: 'markdown'}, quiz});
	session.start();
	const effects = {session, exit: () => {}, clipboard: () => {}};
	const ui = render(<Guide effects={effects} glyphs={glyphsFor({LANG: 'C.UTF-8'})} color={false} />);
	try {
		let frame = await waitForFrame(ui.lastFrame, f => f.includes('Enter run next: server-logs'), 'the first frame');
		assert.match(frame, /^pg500 quiz · oncall@/, 'the header says it is a quiz, not which');
		assert.match(frame, /a name the cause/, 'the footer offers the answer at any time');

		// The footer says `running <step>…` while a step runs.
		const idle = (f: string) => !/running [\w/-]+…/.test(f);
		// Walk the runbook with Enter: every step, the causes, the fix, its follow-ups, the end.
		for (let i = 0; i < 40 && !frame.includes('What is the cause?'); i++) {
			await waitForFrame(ui.lastFrame, idle, 'no step running');
			frame = await press(ui, keys.enter, `Enter #${i + 1}`);
			frame = await waitForFrame(ui.lastFrame, idle, 'no step running');
		}
		assert.match(frame, /Name the cause/);
		assert.ok(session.getState().run.steps['locks']!.findings.length > 0, 'the locks step saw the chain');
		const walked = ui.frames.map(unstyled);
		for (const f of walked) {
			assert.ok(!f.includes(scenario.id), `a frame names the drill:\n${f}`);
			assert.ok(!f.includes(scenario.summary.slice(0, 40)), `a frame describes the drill:\n${f}`);
		}

		frame = await press(ui, keys.down, 'down');
		assert.match(frame, /[▸] lock waits or deadlocks/);
		await press(ui, keys.enter, 'Enter');
		frame = await waitForFrame(ui.lastFrame, f => f.includes('The drill was lock-chain'), 'the reveal');
		assert.match(frame, /✔ Quiz: answered "lock waits or deadlocks": correct\./);
		assert.match(frame, /What pointed to it:/);
		assert.match(frame, /- locks: /, 'the evidence from the locks step');
		assert.match(frame, /No step skipped|Skipped: /);
		assert.doesNotMatch(frame, /a name the cause/, 'answered once');

		const note = readJournal(journal.path).events.find(e => e.type === 'note-set');
		assert.ok(note && note.type === 'note-set' && note.text.includes('The drill was lock-chain'), 'the result is in the journal at once');
		await press(ui, 'e', "'e'");
		frame = await waitForFrame(ui.lastFrame, f => f.includes('Report written') && f.includes('For the incident channel:'), 'the export and its summary');
		const report = await readFile(session.getState().run.exports[0]!.path, 'utf8');
		assert.match(report, /The drill was lock-chain/);
	} finally {
		ui.unmount();
		journal.close();
		await executor.close();
	}
});
