/* One line on stderr while something slow runs ("Starting an embedded
 * PostgreSQL… 1.4 s"): on a terminal it counts up in place; piped, it is
 * written once, when done, so logs get one clean line. */

export interface Progress {
	/** Ends the line (once; later calls do nothing); returns the seconds it took. */
	done(): number;
}

export function startProgress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
	const t0 = performance.now();
	const seconds = () => (performance.now() - t0) / 1000;
	const line = () => `${label} ${seconds().toFixed(1)} s`;
	const live = Boolean(stream.isTTY);
	const timer = live ? setInterval(() => stream.write(`\r${line()}`), 100) : undefined;
	timer?.unref();
	if (live) stream.write(line());
	let ended: number | undefined;
	return {
		done() {
			if (ended !== undefined) return ended;
			clearInterval(timer);
			const text = line();
			stream.write(live ? `\r${text}\n` : `${text}\n`);
			ended = seconds();
			return ended;
		},
	};
}
