// Bundled into dist/pg500.mjs (see lazy-chunks.mjs): evaluates a lazy chunk
// the first time one of its modules is imported. A chunk is the body of an
// async function (it may use top-level await: yoga-layout and Ink do), kept in
// the bundle as a string so that V8 does not parse it at every start.
import {createRequire} from 'node:module';

const require = createRequire(import.meta.url);
const AsyncFunction = (async () => {}).constructor;

/**
 * A memoised loader for one chunk. `shared` maps the ids of modules the chunk
 * takes from the main bundle (so that classes and module state stay one) to
 * their namespaces; every other id the chunk asks for is a Node builtin.
 */
export function chunkLoader(code, shared) {
	let loading;
	return () =>
		(loading ??= (async () => {
			const exports = {};
			const body = new AsyncFunction('__pg500Require', '__pg500ImportMeta', '__pg500Exports', 'require', code);
			const requireShared = id => (Object.hasOwn(shared, id) ? shared[id] : require(id));
			await body(requireShared, import.meta, exports, require);
			return exports;
		})());
}
