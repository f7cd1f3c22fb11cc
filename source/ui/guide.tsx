import {Box, Text} from 'ink';
import {useCallback, useEffect, useSyncExternalStore} from 'react';
import type {Glyphs} from './glyphs.ts';
import {footerHints, type KeyContext} from './keymap.ts';
import {packHints} from './layout.ts';
import {LineView} from './line-view.tsx';
import {fitText} from './lines.ts';
import {ListSelect} from './list-select.tsx';
import {NoteInput} from './note-input.tsx';
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
		return {...now, extras, screen: screenOf({...now, columns, rows, glyphs, quiz: effects.quiz, now: Date.now()})};
	}, [effects, guideStore, columns, rows, glyphs, extras.logInput, extras.quiz]);
	useGuideKeys(guideStore, context, {actions, dispatch: guideStore.dispatch});

	useEffect(() => {
		actions.rerunUnfinished();
	}, [actions]);

	const screen = screenOf({run, guide, columns, rows, glyphs, quiz: effects.quiz, now: Date.now()});
	const {layout} = screen;
	const footer = packHints(footerHints({run, guide, screen, extras}, glyphs), layout.width, layout.footerHeight, glyphs);
	const gap = Math.max(0, screen.linesHeight - screen.shown.length);
	const line = (l: (typeof screen.shown)[number]) => <LineView key={l.key} line={l} color={color} spinner={glyphs.spinner} />;

	return (
		<Box flexDirection="column" width={layout.width}>
			{line(screen.header)}
			<Box flexDirection="row" height={layout.bodyHeight}>
				{layout.checklistWidth > 0 ? (
					<>
						<Box flexDirection="column" width={layout.checklistWidth}>
							{screen.sidebar.map(line)}
						</Box>
						<Box width={2} flexDirection="column">
							{Array.from({length: layout.bodyHeight}, (_, i) => (
								<Text key={i} dimColor>
									{glyphs.separator}
								</Text>
							))}
						</Box>
					</>
				) : null}
				<Box flexDirection="column" width={layout.panelWidth}>
					{screen.shown.map(line)}
					{screen.list ? (
						<Box key={screen.list.kind} flexDirection="column" marginTop={gap}>
							<Text bold wrap="truncate-end">
								{fitText(screen.list.title, layout.panelWidth, glyphs)}
							</Text>
							<ListSelect items={screen.list.items} highlighted={guide.list} limit={screen.list.height - 1} glyphs={glyphs} color={color} />
						</Box>
					) : null}
					{screen.input ? (
						<Box marginTop={gap}>
							<NoteInput label={screen.input.label} value={guide.input} width={layout.panelWidth} glyphs={glyphs} />
						</Box>
					) : null}
				</Box>
			</Box>
			{line(screen.message)}
			{footer.map(line)}
		</Box>
	);
}
