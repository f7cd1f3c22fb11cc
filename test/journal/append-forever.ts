import {openJournal} from '../../source/journal/write.ts';
import {at, runbookPath, smallRunbookText, target} from '../report/fixtures.ts';

/* A session that never ends: appends events as fast as it can and says on
 * stdout how many are written, until the test kills it with SIGKILL. */

const journal = openJournal({dir: process.argv[2]!, runbookPath, runbookText: smallRunbookText, target, options: {}});
process.stdout.write(`${journal.path}\n`);
journal.append({type: 'run-started', at: at(0), tool: {name: 'pg500', version: '1.2.3'}, target, runbookPath});
const rows = Array.from({length: 50}, (_, i) => ({pid: i, query: 'x'.repeat(200)}));
for (let i = 1; ; i++) {
	journal.append({type: 'step-started', at: at(i), stepId: 'connections'});
	journal.append({type: 'step-finished', at: at(i), stepId: 'connections', durationMs: i, outcome: {rows, rowCount: 50}});
	journal.append({type: 'note-set', at: at(i), stepId: 'connections', text: `note ${i}`}, {flush: i % 10 === 0});
	process.stdout.write(`${i}\n`);
}
