// Bundled into dist/pg500.mjs (see lazy-chunks.mjs): evaluates a lazy chunk
// the first time one of its modules is used. A chunk is the body of a
// function — an async one when the chunk has top-level await (yoga-layout and
// Ink do) — kept in the bundle as a string so that V8 does not compile it at
// every start: brotli-compressed, in base64, because even scanning a string
// literal costs start-up time by its length (a quarter of it this way; the
// decompression, a few milliseconds, only when the chunk is used).
import {createRequire} from 'node:module';

const require = createRequire(import.meta.url);
const AsyncFunction = (async () => {}).constructor;

/** What a chunk's code sees: shared modules, the bundle's import.meta, where to put its modules, Node's require. */
export const chunkParams = ['__pg500Require', '__pg500ImportMeta', '__pg500Exports', 'require'];

/**
 * With source maps on (--debug) and the chunk's map beside the bundle (a
 * build's dist/, not a bin copied alone), a stack trace through the chunk
 * points at source lines. The map stays out of the bundle: its size would
 * cost every start.
 */
function sourceMapComment(file) {
	if (!process.sourceMapsEnabled) return '';
	try {
		const map = require('node:fs').readFileSync(new URL(file, import.meta.url));
		return `//# sourceMappingURL=data:application/json;base64,${map.toString('base64')}\n`;
	} catch {
		return '';
	}
}

/** Where V8's compiled code of a chunk is kept between runs: the user's cache directory. */
function codeCacheFile(name, hash) {
	const os = require('node:os');
	const path = require('node:path');
	const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
	return path.join(base, 'pg500', `${name}-${hash}-${process.versions.v8}.v8cache`);
}

/**
 * Writes the compiled code once the chunk has run a moment (its first frame
 * drawn: the code that drew it is compiled by then), or at exit if that comes
 * first; whole or not at all, private to the user.
 */
function saveCodeCache(script, file) {
	const fs = require('node:fs');
	const path = require('node:path');
	let saved = false;
	const save = () => {
		if (saved) return;
		saved = true;
		try {
			fs.mkdirSync(path.dirname(file), {recursive: true, mode: 0o700});
			const temporary = `${file}.${process.pid}`;
			fs.writeFileSync(temporary, script.createCachedData(), {mode: 0o600});
			fs.renameSync(temporary, file);
		} catch {
			// A read-only or full home: the next start compiles again, that is all.
		}
	};
	setTimeout(save, 500).unref();
	process.once('exit', save);
}

/**
 * Compiles a chunk. With a code cache of an earlier run (Node 20 has no
 * compile cache of its own), V8 takes the compiled code from it instead of
 * parsing and compiling the chunk again: the TUI's first frame comes sooner.
 * With source maps on (--debug) the chunk is compiled plainly, so that traces
 * point at source lines.
 */
function compile(async, code, name, hash) {
	const params = chunkParams.join(', ');
	if (process.sourceMapsEnabled) return new (async ? AsyncFunction : Function)(...chunkParams, code + sourceMapComment(`pg500-${name}.js.map`));
	const vm = require('node:vm');
	const file = codeCacheFile(name, hash);
	let cachedData;
	try {
		cachedData = require('node:fs').readFileSync(file);
	} catch {
		// None yet.
	}
	// Two lines before the code, as a Function's body has: the chunk's source map fits both.
	const script = new vm.Script(`(${async ? 'async ' : ''}function (${params}) {\n\n${code}\n})`, {
		filename: `pg500-${name}.js`,
		cachedData,
		// import() inside the chunk as from the bundle (Node 20.12 and later; older ones have no import() there).
		importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
	});
	if (!cachedData || script.cachedDataRejected) saveCodeCache(script, file);
	return script.runInThisContext();
}

/**
 * A memoised loader for one chunk (`compressed`: its code, see above; `hash`
 * names its code cache). It returns the chunk's modules by id, or a promise
 * of them when `async`. `shared` maps the ids of the modules the chunk takes
 * from the main bundle (so that classes and module state stay one) to their
 * namespaces.
 */
export function chunkLoader(async, compressed, shared, name, hash) {
	const evaluate = exports => {
		const code = require('node:zlib').brotliDecompressSync(Buffer.from(compressed, 'base64')).toString();
		return compile(async, code, name, hash)(id => shared[id], import.meta, exports, require);
	};
	let modules;
	if (async)
		return () =>
			(modules ??= (async () => {
				const exports = {};
				await evaluate(exports);
				return exports;
			})());
	return () => {
		if (modules === undefined) {
			const exports = {};
			evaluate(exports);
			modules = exports;
		}
		return modules;
	};
}
