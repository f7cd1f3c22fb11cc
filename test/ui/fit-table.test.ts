import {test} from 'node:test';
import assert from 'node:assert/strict';
import {columnOf, fitTable} from '../../source/ui/fit-table.ts';
import {glyphsFor} from '../../source/ui/glyphs.ts';
import {fitText, textWidth} from '../../source/ui/lines.ts';

const utf8 = glyphsFor({LANG: 'C.UTF-8'});
const ascii = glyphsFor({LANG: 'C'});

test('widths are terminal cells: a CJK application name takes two per character and never overflows', () => {
	const table = fitTable([columnOf('pid', [901, 902]), columnOf('app', ['注文サービス-本番環境-東京リージョン', 'denokv'])], 20, utf8);
	for (const line of [...table.header, ...table.rows]) assert.ok(textWidth(line) <= 20, `${line}: ${textWidth(line)} cells`);
	assert.match(table.rows[0]!, /^901 {2}注文/);
	assert.ok(table.rows[0]!.endsWith('…'));
});

test('numbers, pid lists and times are never cut; text shrinks, then the last columns go', () => {
	const columns = [
		columnOf('pid', [1234567, 88]),
		columnOf('blocked_by', ['{1234560,1234561}', '{}']),
		columnOf('query', ['UPDATE data_version SET version = version + 1 WHERE k = 0', 'SELECT 1']),
		columnOf('seen_at', ['2026-11-29T01:48:48.670Z', '2026-11-29T01:48:49.001Z']),
	];
	const table = fitTable(columns, 50, utf8);
	assert.deepEqual(table.hidden, ['seen_at']);
	assert.match(table.rows[0]!, /^1234567  \{1234560,1234561\}  UPDATE data_version S…$/);
	for (const row of table.rows) assert.doesNotMatch(row, /\d…/);
	for (const line of [...table.header, ...table.rows]) assert.ok(textWidth(line) <= 50);
});

test('a long header takes a second line, broken after _, never leaving a scrap', () => {
	const table = fitTable([columnOf('oldest_idle_in_tx_pid', [901]), columnOf('waiting_s', [12])], 30, utf8);
	// Numbers and their headers right-aligned; the header's lines bottom-aligned.
	assert.deepEqual(table.header, ['oldest_idle_', '   in_tx_pid  waiting_s']);
	assert.deepEqual(table.rows, ['         901         12']);
});

test('numbers are right-aligned, text left; bigint numbers sent as text count as numbers', () => {
	const table = fitTable([columnOf('table', ['kv_store', 'queue']), columnOf('rows', ['120000', '7'])], 40, utf8);
	assert.deepEqual(table.rows, ['kv_store  120000', 'queue          7']);
});

test('a cut never ends in a number: the number goes (or stays whole), in ASCII too', () => {
	assert.equal(fitText('waiting for pid 901234 to commit', 20, utf8), 'waiting for pid…');
	assert.equal(fitText('waiting for pid 901234 to commit', 20, ascii), 'waiting for pid~');
	assert.equal(fitText('plain words only here', 12, utf8), 'plain words…');
});
