import {useEffect, useRef, useState} from 'react';
import type {KeyPress} from './key-input.ts';
import {bindingFor, waitsNow, type KeyContext, type KeyEffects} from './keymap.ts';
import {useKeys} from './use-keys.ts';
import type {GuideAction} from './use-guide-state.ts';

/**
 * Applies keys in the order they were typed, each to the state the one
 * before it left. A key that would start a step while one runs (Enter typed
 * ahead) waits for it to finish, and every key after it waits behind it, so
 * `Enter Enter Enter` runs three steps. Ctrl-C never waits.
 */
export function createKeyQueue(deps: {context(): KeyContext; effects: Omit<KeyEffects, 'current'>}) {
	const pending: KeyPress[] = [];
	const effects: KeyEffects = {...deps.effects, current: deps.context};
	let scheduled = false;

	const apply = (key: KeyPress, c: KeyContext) => bindingFor(key, c)?.run(c, effects, key);

	const drain = () => {
		while (pending.length > 0) {
			const c = deps.context();
			const binding = bindingFor(pending[0]!, c);
			if (binding && waitsNow(binding, c)) return;
			const key = pending.shift()!;
			if (binding) binding.run(c, effects, key);
		}
	};

	return {
		push(key: KeyPress) {
			if (key.name === 'Ctrl-C') return apply(key, deps.context());
			pending.push(key);
			drain();
		},
		/** The session or the screen changed: a step may have finished. Drained a moment later, so a fix's next follow-up starts first. */
		wake() {
			if (pending.length === 0 || scheduled) return;
			scheduled = true;
			setImmediate(() => {
				scheduled = false;
				drain();
			});
		},
		/** Keys still waiting (for tests). */
		get pending() {
			return pending.length;
		},
	};
}

/** The guide's keyboard: every key through the keymap (keymap.ts), in order; keys that wait go on when `stores` (the session's, the screen's) change. */
export function useGuideKeys(stores: {subscribe(listener: () => void): () => void}[], context: () => KeyContext, effects: {actions: KeyEffects['actions']; dispatch(action: GuideAction): void}): void {
	const latest = useRef(context);
	latest.current = context;
	const [queue] = useState(() => createKeyQueue({context: () => latest.current(), effects}));
	useEffect(() => {
		const unsubscribe = stores.map(store => store.subscribe(queue.wake));
		return () => {
			for (const stop of unsubscribe) stop();
		};
	}, [...stores, queue]);
	useKeys(queue.push);
}
