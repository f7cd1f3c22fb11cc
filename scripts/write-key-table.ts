// Writes the README's table of keys from the guide's keymap
// (source/ui/keymap.ts), the one place keys are defined: the handler, the
// footer and `?` read the same table. `npm run keys`; a test checks it.
import {readFileSync, writeFileSync} from 'node:fs';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {glyphsFor} from '../source/ui/glyphs.ts';
import {helpRows} from '../source/ui/keymap.ts';

export const readmeFile = fileURLToPath(new URL('../README.md', import.meta.url));
const start = '<!-- keys: generated from source/ui/keymap.ts by `npm run keys` -->';
const end = '<!-- /keys -->';

export function keyTable(): string {
	const rows = helpRows(glyphsFor({LANG: 'C.UTF-8'})).map(r => `| ${r.keys} | ${r.help.replace(/\|/g, '\\|')} |`);
	return [start, '| key | action |', '| --- | --- |', ...rows, end].join('\n');
}

/** The README with its key table as the keymap says. */
export function readmeWithKeyTable(readme: string): string {
	const from = readme.indexOf(start);
	const to = readme.indexOf(end);
	if (from < 0 || to < from) throw new Error(`README.md has no ${start} … ${end} block`);
	return readme.slice(0, from) + keyTable() + readme.slice(to + end.length);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	writeFileSync(readmeFile, readmeWithKeyTable(readFileSync(readmeFile, 'utf8')));
	process.stdout.write(`wrote the key table in ${readmeFile}\n`);
}
