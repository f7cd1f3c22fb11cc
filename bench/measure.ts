import {spawn} from 'node:child_process';
import {readFile} from 'node:fs/promises';

/* Wall time and peak resident memory of one child process. The peak is
 * read from /proc (VmHWM, the kernel's own high-water mark) while it runs. */

export interface Measured {
	ms: number;
	peakRssMb: number | null;
	code: number;
}

async function highWaterMb(pid: number): Promise<number | null> {
	try {
		const status = await readFile(`/proc/${pid}/status`, 'utf8');
		const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
		return kb ? Number(kb) / 1024 : null;
	} catch {
		return null;
	}
}

export function measure(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Measured> {
	return new Promise((resolve, reject) => {
		const t0 = performance.now();
		const child = spawn(command, args, {env, stdio: ['ignore', 'ignore', 'inherit']});
		let peak: number | null = null;
		const poll = setInterval(async () => {
			const mb = await highWaterMb(child.pid!);
			if (mb !== null) peak = Math.max(peak ?? 0, mb);
		}, 5);
		child.on('error', reject);
		child.on('exit', code => {
			clearInterval(poll);
			resolve({ms: performance.now() - t0, peakRssMb: peak, code: code ?? -1});
		});
	});
}

export function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
