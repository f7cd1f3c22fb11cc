import {test} from 'node:test';
import assert from 'node:assert/strict';
import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';

/* `--debug` traces through the lazily loaded chunks (the TUI, the runbook
 * parser) point at source lines: the build writes each chunk's source map
 * beside the bundle, in the project's own terms, shifted by the lines the
 * chunk runtime puts before the chunk's code. */

const dist = path.resolve('dist');
const skip = existsSync(path.join(dist, 'pg500.mjs')) ? false : 'dist/pg500.mjs is missing (npm test builds it first)';

for (const [chunk, source] of [
	['ui', 'source/ui/guide.tsx'],
	['runbook-parser', 'source/runbook/parse.ts'],
] as const)
	test(`the ${chunk} chunk's source map: the project's sources, from the top of the function V8 wraps it in`, {skip}, () => {
		const map = JSON.parse(readFileSync(path.join(dist, `pg500-${chunk}.js.map`), 'utf8')) as {sources: string[]; sourceRoot: string; mappings: string; sourcesContent?: unknown};
		assert.equal(map.sourceRoot, 'pg500:///');
		assert.ok(map.sources.includes(source), `${source} in ${map.sources.filter(s => s.startsWith('source/')).join(', ')}`);
		assert.ok(map.sources.every(s => !path.isAbsolute(s) && !s.startsWith('..')), 'named from the project root');
		// Two lines of V8's function wrapper, one of the chunk's "use strict" prologue.
		assert.match(map.mappings, /^;;;[^;]/);
		assert.equal(map.sourcesContent, undefined, 'no copy of the sources');
	});

test('the bundle does not carry the maps (their size would cost every start); it names its own', {skip}, () => {
	const bundle = readFileSync(path.join(dist, 'pg500.mjs'), 'utf8');
	assert.ok(bundle.trimEnd().endsWith('//# sourceMappingURL=pg500.mjs.map'));
	// No map is inlined: not as a data: URL comment, not as JSON (its mappings).
	assert.doesNotMatch(bundle, /^\/\/# sourceMappingURL=data:/m);
	for (const map of ['pg500.mjs.map', 'pg500-ui.js.map', 'pg500-runbook-parser.js.map']) {
		const {mappings} = JSON.parse(readFileSync(path.join(dist, map), 'utf8')) as {mappings: string};
		assert.ok(!bundle.includes(mappings.slice(0, 200)), `${map}'s mappings are not in the bundle`);
	}
});
