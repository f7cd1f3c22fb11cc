import type {Plugin} from 'esbuild';

export const pgOnNode: Plugin;
