import {useStdin} from 'ink';
import {useLayoutEffect, useRef} from 'react';
import {parseKeys, type KeyPress} from './key-input.ts';

/**
 * Every key typed, one by one and in order, to `onKey` (always the latest
 * one given). The one input layer of a screen: it listens to Ink's stream of
 * raw input rather than useInput, which passes a burst of plain keys as one
 * string (see key-input.ts). It starts listening in a layout effect, in the
 * same commit as the first frame: keys typed before that frame wait in the
 * terminal (raw mode is on from the start, see hold-keys.ts) and arrive now.
 */
export function useKeys(onKey: (key: KeyPress) => void): void {
	const {internal_eventEmitter: events, setRawMode} = useStdin();
	const latest = useRef(onKey);
	latest.current = onKey;
	useLayoutEffect(() => {
		const listener = (data: string) => {
			for (const key of parseKeys(data)) latest.current(key);
		};
		events.on('input', listener);
		setRawMode(true);
		return () => {
			events.off('input', listener);
			setRawMode(false);
		};
	}, [events, setRawMode]);
}
