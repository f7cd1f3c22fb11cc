// Writes runbooks/runbook.schema.json from the zod schema of the runbook
// format, the single source of truth, so editors complete and check runbooks
// (`# yaml-language-server: $schema=./runbook.schema.json`). `npm run schema`.
import {writeFileSync} from 'node:fs';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {z} from 'zod';
import {runbookSchema} from '../source/runbook/schema.ts';

export const runbookSchemaFile = fileURLToPath(new URL('../runbooks/runbook.schema.json', import.meta.url));

/** The file's text: the schema of what an author writes (defaults optional), with recursive conditions as $defs. */
export function runbookSchemaText(): string {
	const schema = z.toJSONSchema(runbookSchema, {io: 'input', target: 'draft-2020-12', cycles: 'ref', reused: 'inline'});
	const {$schema, ...rest} = schema;
	const titled = {
		$schema,
		title: 'pg500 runbook',
		description:
			'A pg500 runbook: steps with rules that turn result rows into findings, causes ranked from those findings, and fixes. Generated from source/runbook/schema.ts by `npm run schema`; do not edit.',
		...rest,
	};
	return `${JSON.stringify(titled, null, '\t')}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	writeFileSync(runbookSchemaFile, runbookSchemaText());
	process.stdout.write(`wrote ${runbookSchemaFile}\n`);
}
