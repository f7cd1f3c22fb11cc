import {test} from 'node:test';
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {mkdtempSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {readJournal} from '../../source/journal/read.ts';
import {replayJournal} from '../../source/journal/replay.ts';

test('a session killed with SIGKILL mid-run: every event it had written is read back and replays', {timeout: 60_000}, async () => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pg500-killed-'));
	const child = spawn(process.execPath, ['--import', 'tsx', new URL('./append-forever.ts', import.meta.url).pathname, dir], {stdio: ['ignore', 'pipe', 'inherit']});
	let out = '';
	const written = await new Promise<{file: string; rounds: number}>((resolve, reject) => {
		child.on('exit', code => reject(new Error(`the writer exited by itself (${code})`)));
		child.stdout.setEncoding('utf8');
		child.stdout.on('data', (chunk: string) => {
			out += chunk;
			const lines = out.split('\n').filter(Boolean);
			const rounds = Number(lines.at(-1));
			// Kill it in the middle of its loop, well after it got going.
			if (lines.length > 1 && rounds >= 300) {
				child.kill('SIGKILL');
				resolve({file: lines[0]!, rounds});
			}
		});
	});
	await new Promise(resolve => child.once('close', resolve));
	assert.equal(child.signalCode, 'SIGKILL');

	const journal = readJournal(written.file);
	// 1 run-started + 3 events per round; the child kept writing between its report and the kill.
	assert.ok(journal.events.length >= 1 + 3 * written.rounds, `${journal.events.length} events for ${written.rounds} rounds`);
	const state = replayJournal(journal);
	const lastNote = journal.events.filter(e => e.type === 'note-set').at(-1);
	assert.ok(lastNote?.type === 'note-set');
	assert.ok(Number(lastNote.text.split(' ')[1]) >= written.rounds);
	assert.equal(state.finishedAt, undefined);
	assert.ok(['running', 'critical', 'warning', 'ok'].includes(state.steps['connections']!.status));
});
