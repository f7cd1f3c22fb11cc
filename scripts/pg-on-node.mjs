// An esbuild plugin for bundles of pg that run on Node only (pg500's, and the bench's floor).
import {readFileSync} from 'node:fs';

/* pg probes for Cloudflare Workers when its module loads: on Node 20 (no
 * `navigator`) by constructing a fetch Response, which loads undici — some
 * 60-80 ms of every `pg500 run`. */
export const pgOnNode = {
	name: 'pg-on-node',
	setup(b) {
		b.onLoad({filter: /[\\/]node_modules[\\/]pg[\\/]lib[\\/]stream\.js$/}, args => {
			const source = readFileSync(args.path, 'utf8');
			const probe = 'if (isCloudflareRuntime()) {';
			if (source.split(probe).length !== 2) throw new Error(`${args.path}: no longer has \`${probe}\`; revisit scripts/pg-on-node.mjs`);
			return {loader: 'js', contents: source.replace(probe, 'if (false) {')};
		});
	},
};
