import {test} from 'node:test';
import assert from 'node:assert/strict';
import {mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {writeFileAtomic} from '../../source/report/write-file-atomic.ts';

const tempDir = () => mkdtempSync(path.join(os.tmpdir(), 'pg500-atomic-'));

test('writes the whole text with mode 0600, replacing a readable older file', () => {
	const dir = tempDir();
	const file = path.join(dir, 'report.md');
	writeFileSync(file, 'old report', {mode: 0o644});
	writeFileAtomic(file, 'new report ✔\n');
	assert.equal(readFileSync(file, 'utf8'), 'new report ✔\n');
	assert.equal(statSync(file).mode & 0o777, 0o600);
	assert.deepEqual(readdirSync(dir), ['report.md'], 'no temporary file left');
});

test('a failed write leaves no partial file and the old one untouched', () => {
	const dir = tempDir();
	// The target is a directory that is not empty: the final rename fails after the data was written.
	const target = path.join(dir, 'report.html');
	mkdirSync(target);
	writeFileSync(path.join(target, 'keep'), 'x');
	assert.throws(() => writeFileAtomic(target, 'report'), /EISDIR|ENOTEMPTY|EEXIST/);
	assert.deepEqual(readdirSync(dir), ['report.html']);
	assert.deepEqual(readdirSync(target), ['keep']);

	// A directory that does not exist: nothing is created anywhere.
	assert.throws(() => writeFileAtomic(path.join(dir, 'missing', 'report.md'), 'report'), /ENOENT/);
	assert.deepEqual(readdirSync(dir), ['report.html']);
});
