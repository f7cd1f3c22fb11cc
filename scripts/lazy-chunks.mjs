// Lazy chunks inside the one-file bundle. V8 compiles every line of an ES
// module before running any of it, so the TUI (Ink, React, yoga) and the
// runbook parser (yaml, zod) would cost every start, `pg500 --version` and
// `pg500 run` included, though only the guided session and a runbook file
// other than the built-in one need them. esbuild's code splitting would write
// several files; the product is one file an operator copies onto a host.
//
// So each lazy chunk is bundled on its own as the body of a function, kept in
// the main bundle as a (compressed) string literal — a string costs the parser
// a scan, not a compile — and evaluated by scripts/chunk-runtime.mjs the first
// time one of its modules is used. The source keeps its ordinary
// `await import('../ui/launch.tsx')` and runs unchanged from source.
//
// A module of ours that the main bundle holds too is not copied into the
// chunk: the chunk takes the main bundle's instance, so `instanceof
// RunbookError`, `UsageError` … and module state stay one.
import {build} from 'esbuild';
import path from 'node:path';
import {createHash} from 'node:crypto';
import {brotliCompressSync, constants} from 'node:zlib';
import {chunkParams} from './chunk-runtime.mjs';

const root = path.resolve(import.meta.dirname, '..');
const runtime = path.join(root, 'scripts/chunk-runtime.mjs');
const rel = file => path.relative(root, file).split(path.sep).join('/');
const relativeSpecifier = /^\.\.?\//;
const AsyncFunction = (async () => {}).constructor;

/** The files of our own source a relative import inside our own source points at (our imports name the file exactly). */
function ownSource(args) {
	if (!relativeSpecifier.test(args.path) || !args.importer.startsWith(path.join(root, 'source') + path.sep)) return undefined;
	return path.resolve(args.resolveDir, args.path);
}

/**
 * Returns {plugin, sourceMaps}: the plugin for the main build, which swaps each `import()` of a
 * chunk's module for a stand-in that evaluates the chunk. `options` are the
 * esbuild options the main build and the chunks share; `entry` is the main
 * entry point; `chunks` are {name, modules: [paths of the modules imported
 * lazily], define: esbuild defines for this chunk only}.
 */
export async function lazyChunks(options, entry, chunks) {
	const chunkOf = new Map(chunks.flatMap(chunk => chunk.modules.map(m => [path.resolve(root, m), chunk])));

	// What the main bundle holds with every chunk left out.
	const main = await build({
		...options,
		entryPoints: [entry],
		outfile: 'main.mjs',
		format: 'esm',
		write: false,
		metafile: true,
		plugins: [
			...options.plugins,
			{
				name: 'leave-out-chunks',
				setup(b) {
					b.onResolve({filter: relativeSpecifier}, args => {
						const file = ownSource(args);
						return file && chunkOf.has(file) ? {path: file, external: true} : undefined;
					});
				},
			},
		],
	});
	const inMain = new Set(Object.keys(main.metafile.inputs).map(p => path.resolve(root, p)));

	const built = new Map(await Promise.all(chunks.map(async chunk => [chunk, await buildChunk(options, chunk, inMain)])));
	reportDuplicates(built);

	// The chunks' source maps, for the build to write beside the bundle.
	const sourceMaps = [...built].map(([chunk, {sourceMap}]) => ({file: sourceMapName(chunk), text: sourceMap}));
	const plugin = {
		name: 'lazy-chunks',
		setup(b) {
			b.onResolve({filter: relativeSpecifier}, args => {
				const file = ownSource(args);
				const chunk = file && chunkOf.get(file);
				if (!chunk) return undefined;
				if (built.get(chunk).async && args.kind !== 'dynamic-import')
					throw new Error(`${rel(args.importer)} imports ${rel(file)} statically, but its chunk "${chunk.name}" has top-level await (it can only be loaded with import())`);
				return {path: rel(file), namespace: 'pg500-lazy', pluginData: chunk};
			});
			b.onLoad({filter: /.*/, namespace: 'pg500-lazy'}, args => {
				const chunk = args.pluginData;
				const {async, exportNames} = built.get(chunk);
				const load = `pg500-chunk:${chunk.name}`;
				const id = JSON.stringify(args.path);
				return {
					loader: 'js',
					resolveDir: root,
					contents: async
						? // Its namespace is a thenable, so `await import(…)` of it waits for the
							// chunk and gives the chunk's module (esbuild turns the import() into a
							// promise of this namespace, and a promise adopts a thenable).
							`import {load} from ${JSON.stringify(load)};\nexport function then(resolve, reject) { load().then(modules => resolve(modules[${id}]), reject); }`
						: // A getter per export, so that a static import loads the chunk only when an export is first used.
							[
								`const {load} = require(${JSON.stringify(load)});`,
								...exportNames.get(args.path).map(name => `Object.defineProperty(exports, ${JSON.stringify(name)}, {enumerable: true, get: () => load()[${id}][${JSON.stringify(name)}]});`),
							].join('\n'),
				};
			});
			b.onResolve({filter: /^pg500-chunk:/}, args => ({path: args.path.slice('pg500-chunk:'.length), namespace: 'pg500-chunk'}));
			b.onLoad({filter: /.*/, namespace: 'pg500-chunk'}, args => {
				const chunk = chunks.find(c => c.name === args.path);
				const {code, shared, async} = built.get(chunk);
				return {
					loader: 'js',
					resolveDir: root,
					contents: [
						`import {chunkLoader} from ${JSON.stringify(runtime)};`,
						...shared.map((id, i) => `import * as shared${i} from ${JSON.stringify(path.join(root, id))};`),
						`export const load = chunkLoader(${async}, ${JSON.stringify(compress(code))}, {${shared.map((id, i) => `${JSON.stringify(id)}: shared${i}`).join(', ')}}, ${JSON.stringify(chunk.name)}, ${JSON.stringify(createHash('sha256').update(code).digest('hex').slice(0, 16))});`,
					].join('\n'),
				};
			});
		},
	};
	return {plugin, sourceMaps};
}

/** The chunk's code as chunk-runtime.mjs takes it: brotli, base64. */
function compress(code) {
	// Quality 9: within 10% of the best size, at a tenth of its build time.
	const params = {[constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_SIZE_HINT]: Buffer.byteLength(code)};
	return brotliCompressSync(code, {params}).toString('base64');
}

/**
 * Bundles one chunk as a function body: no import or export statements; a
 * shared module comes through __pg500Require, a builtin through `require`
 * (the main bundle's; options.plugins make every builtin a require()).
 */
async function buildChunk(options, chunk, inMain) {
	const shared = new Set();
	const result = await build({
		...options,
		entryPoints: ['pg500-chunk-entry'],
		outfile: `${chunk.name}.js`,
		format: 'esm',
		write: false,
		metafile: true,
		// Kept beside the code, used only when source maps are on (--debug).
		sourcemap: 'external',
		sourcesContent: false,
		define: {...options.define, ...chunk.define, 'import.meta': '__pg500ImportMeta'},
		plugins: [
			...options.plugins,
			{
				name: 'chunk',
				setup(b) {
					b.onResolve({filter: /^pg500-chunk-entry$/}, () => ({path: chunk.name, namespace: 'pg500-chunk-entry'}));
					b.onLoad({filter: /.*/, namespace: 'pg500-chunk-entry'}, () => ({
						loader: 'js',
						resolveDir: root,
						contents: chunk.modules
							.map((m, i) => `import * as module${i} from ${JSON.stringify(path.resolve(root, m))};\n__pg500Exports[${JSON.stringify(rel(path.resolve(root, m)))}] = module${i};`)
							.join('\n'),
					}));
					b.onResolve({filter: relativeSpecifier}, args => {
						const file = ownSource(args);
						if (!file || !inMain.has(file)) return undefined;
						shared.add(rel(file));
						return {path: rel(file), namespace: 'pg500-require'};
					});
					b.onLoad({filter: /.*/, namespace: 'pg500-require'}, args => ({
						loader: 'js',
						contents: `module.exports = __pg500Require(${JSON.stringify(args.path)});`,
					}));
				},
			},
		],
	});
	const output = name => result.outputFiles.find(f => f.path.endsWith(name)).text;
	const prologue = '"use strict";\n';
	const code = `${prologue}${output('.js')}//# sourceURL=pg500-${chunk.name}.js\n`;
	const inputs = Object.keys(result.metafile.inputs).filter(p => !p.includes(':')).map(p => path.resolve(root, p));
	const async = isAsync(chunk, code);
	return {code, sourceMap: chunkSourceMap(output('.map'), prologue), async, shared: [...shared].sort(), inputs, exportNames: async ? undefined : await exportNamesOf(options, chunk)};
}

/** The file beside the bundle that holds a chunk's source map (chunk-runtime.mjs reads it by this name). */
const sourceMapName = chunk => `pg500-${chunk.name}.js.map`;

/**
 * The chunk's source map as the chunk runtime evaluates it: shifted down by
 * the lines that come before the chunk's code (the function wrapper V8 puts
 * around a Function's body takes two, then the prologue), with the sources
 * named from the project's root (`pg500:///source/ui/guide.tsx`).
 */
function chunkSourceMap(text, prologue) {
	const map = JSON.parse(text);
	const before = 2 + prologue.split('\n').length - 1;
	map.mappings = ';'.repeat(before) + map.mappings;
	map.sources = map.sources.map(source => path.relative(root, path.resolve(root, source)).split(path.sep).join('/'));
	map.sourceRoot = 'pg500:///';
	return JSON.stringify(map);
}

/**
 * Whether the chunk has top-level await (then it is evaluated as an async
 * function, and can only be imported with import()). Compiling it also checks
 * its syntax now rather than on an operator's host: an import or export
 * statement left in the chunk would not parse.
 */
function isAsync(chunk, code) {
	try {
		new Function(...chunkParams, code);
		return false;
	} catch {
		try {
			new AsyncFunction(...chunkParams, code);
			return true;
		} catch (error) {
			throw new Error(`the ${chunk.name} chunk does not compile as a function body: ${error.message}`);
		}
	}
}

/** The names each module of a (synchronous) chunk exports, for its stand-ins' getters. */
async function exportNamesOf(options, chunk) {
	const names = new Map();
	for (const m of chunk.modules) {
		const {metafile} = await build({...options, entryPoints: [m], outfile: 'exports.mjs', format: 'esm', packages: 'external', write: false, metafile: true});
		names.set(rel(path.resolve(root, m)), Object.values(metafile.outputs)[0].exports);
	}
	return names;
}

/** A module of ours in two chunks but not in the main bundle exists twice at run time; say so, since a class or state in it would not be one. */
function reportDuplicates(built) {
	const seen = new Map();
	for (const [chunk, {inputs}] of built)
		for (const file of inputs.filter(f => f.startsWith(path.join(root, 'source') + path.sep))) {
			if (seen.has(file)) console.warn(`build: ${rel(file)} is in both the ${seen.get(file)} and the ${chunk.name} chunk`);
			else seen.set(file, chunk.name);
		}
}
