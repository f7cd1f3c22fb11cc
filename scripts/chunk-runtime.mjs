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

/**
 * A memoised loader for one chunk (`compressed`: its code, see above). It
 * returns the chunk's modules by id, or a promise of them when `async`.
 * `shared` maps the ids of the modules the chunk takes from the main bundle
 * (so that classes and module state stay one) to their namespaces.
 */
export function chunkLoader(async, compressed, shared, sourceMapFile) {
	const evaluate = exports => {
		const code = require('node:zlib').brotliDecompressSync(Buffer.from(compressed, 'base64')).toString();
		return new (async ? AsyncFunction : Function)(...chunkParams, code + sourceMapComment(sourceMapFile))(id => shared[id], import.meta, exports, require);
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
