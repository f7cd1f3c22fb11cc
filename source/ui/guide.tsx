import {Box} from 'ink';
import {useCallback, useEffect, useSyncExternalStore} from 'react';
import {findStep} from '../engine/steps.ts';
import type {SessionState} from '../session/store.ts';
import type {Glyphs} from './glyphs.ts';
import {journalBanner} from './journal-banner.ts';
import type {KeyContext} from './keymap.ts';
import {LineView} from './line-view.tsx';
import type {Line} from './lines.ts';
import {screenOf} from './screen.ts';
import {useGuideActions, type GuideEffects} from './use-guide-actions.ts';
import {useGuideKeys} from './use-guide-keys.ts';
import {useGuideStore, type GuideState} from './use-guide-state.ts';
import {useTerminalSize} from './use-terminal-size.ts';

export interface GuideProps {
	effects: GuideEffects;
	glyphs: Glyphs;
	color: boolean;
}

const isMain = (session: SessionState, stepId: string) => findStep(session.run.runbook, stepId)?.main ?? false;

/** The first screen: the step last started (a resumed session may be running one again already). */
function initialGuide(session: SessionState): Omit<GuideState, 'list' | 'input'> {
	const focus = session.running ?? session.run.visited.at(-1);
	return {view: session.running && !isMain(session, session.running) ? 'fix' : 'step', scroll: 0, focus};
}

/** The guided runbook: header, checklist, the current panel, the keys that work now. Render only: screen.ts says what, the keymap what keys do. */
export function Guide({effects, glyphs, color}: GuideProps) {
	const controller = effects.session;
	const session = useSyncExternalStore(controller.subscribe, controller.getState);
	const guideStore = useGuideStore(() => initialGuide(controller.getState()));
	const guide = useSyncExternalStore(guideStore.subscribe, guideStore.get);
	const {columns, rows} = useTerminalSize();
	const extras = {logInput: controller.logInput, quiz: Boolean(controller.quizChoices), reconnect: controller.canReconnect, watch: controller.watchable};

	// What a key acts on: the session and the screen as they are when the key is applied, not as this render saw them.
	const screenFor = useCallback(
		(now: SessionState, g: GuideState) =>
			screenOf({
				run: now.run,
				running: now.running,
				reveal: now.reveal,
				guide: g,
				columns,
				rows,
				glyphs,
				quiz: controller.quizChoices ? {choices: controller.quizChoices} : undefined,
				logInput: controller.logInput,
				captureLimits: controller.captureLimits,
				banner: journalBanner(now.journalBacklog, controller.reportFallbackDir),
				now: Date.now(),
				// A quiz not yet answered keeps its drill hidden, and a drill's lesson would name it.
				practice: controller.quizChoices && !now.reveal ? undefined : controller.practice,
				canReconnect: controller.canReconnect,
				watch: now.watch,
				watchable: controller.watchable,
			}),
		[controller, columns, rows, glyphs],
	);
	const context = useCallback((): KeyContext => {
		const now = controller.getState();
		const g = guideStore.get();
		return {run: now.run, running: now.running, reveal: now.reveal, guide: g, extras, screen: screenFor(now, g)};
	}, [controller, guideStore, screenFor, extras.logInput, extras.quiz, extras.reconnect, extras.watch]);
	const onScreen = useCallback(() => context().screen.onScreen, [context]);
	const actions = useGuideActions(effects, guideStore.get, onScreen, guideStore.dispatch);
	useGuideKeys([guideStore, controller], context, {actions, dispatch: guideStore.dispatch});

	// The screen follows the session: a step that starts takes the panel.
	useEffect(
		() =>
			controller.onEvent(event => {
				if (event.type === 'step-started') guideStore.dispatch({type: 'follow', stepId: event.stepId, main: findStep(controller.getState().run.runbook, event.stepId)?.main ?? false});
			}),
		[controller, guideStore],
	);

	const screen = screenFor(session, guide);
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
