import {useInput, type Key} from 'ink';
import {useCallback, useRef} from 'react';

/**
 * Ink's useInput, with a handler that always sees the latest render. Ink
 * re-attaches a changed handler in an effect, after the frame is drawn: a key
 * typed in between reached the previous screen's handler (Enter saving the
 * input as it was before the last keystroke, an arrow moving the step list
 * under a list that just opened). Here the listener stays attached and reads
 * the current handler and isActive from a ref set during render.
 */
export function useLatestInput(handler: (input: string, key: Key) => void, isActive = true): void {
	const latest = useRef({handler, isActive});
	latest.current = {handler, isActive};
	const stable = useCallback((input: string, key: Key) => {
		if (latest.current.isActive) latest.current.handler(input, key);
	}, []);
	useInput(stable);
}
