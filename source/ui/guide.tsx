import {Box} from 'ink';
import {useCallback, useEffect, useSyncExternalStore} from 'react';
import type {Glyphs} from './glyphs.ts';
import type {KeyContext} from './keymap.ts';
import {LineView} from './line-view.tsx';
import type {Line} from './lines.ts';
import {screenOf} from './screen.ts';
import {useGuideActions, type GuideEffects} from './use-guide-actions.ts';
import {useGuideKeys} from './use-guide-keys.ts';
import {useGuideStore} from './use-guide-state.ts';
import {useTerminalSize} from './use-terminal-size.ts';

export interface GuideProps {
	effects: GuideEffects;
	glyphs: Glyphs;
	color: boolean;
	/** Resume: notes already typed but not in a report yet. */
	unsavedNotes?: boolean;
}

/** The guided runbook: header, checklist, the current panel, the keys that work now. Render only: screen.ts says what, the keymap what keys do. */
export function Guide({effects, glyphs, color, unsavedNotes = false}: GuideProps) {
	const run = useSyncExternalStore(effects.store.subscribe, effects.store.get);
	const guideStore = useGuideStore(() => ({view: 'step', scroll: 0, unsavedNotes, focus: effects.store.get().visited.at(-1)}));
	const guide = useSyncExternalStore(guideStore.subscribe, guideStore.get);
	const actions = useGuideActions(effects, guideStore.get, guideStore.dispatch);
	const {columns, rows} = useTerminalSize();
	const extras = {logInput: Boolean(effects.executor.setLogPath), quiz: Boolean(effects.quiz)};

	// What a key acts on: the state as it is when the key is applied, not as this render saw it.
	const context = useCallback((): KeyContext => {
		const now = {run: effects.store.get(), guide: guideStore.get()};
		return {...now, extras, screen: screenOf({...now, columns, rows, glyphs, quiz: effects.quiz, logInput: extras.logInput, now: Date.now()})};
	}, [effects, guideStore, columns, rows, glyphs, extras.logInput, extras.quiz]);
	useGuideKeys(guideStore, context, {actions, dispatch: guideStore.dispatch});

	useEffect(() => {
		actions.rerunUnfinished();
	}, [actions]);

	const screen = screenOf({run, guide, columns, rows, glyphs, quiz: effects.quiz, logInput: extras.logInput, now: Date.now()});
	return <FrameView frame={screen.frame} width={screen.layout.width} color={color} glyphs={glyphs} />;
}

/** The frame's lines, one Text each. */
export function FrameView({frame, width, color, glyphs}: {frame: Line[]; width: number; color: boolean; glyphs: Glyphs}) {
	return (
		<Box flexDirection="column" width={width}>
			{frame.map(line => (
				<LineView key={line.key} line={line} color={color} spinner={glyphs.spinner} />
			))}
		</Box>
	);
}
