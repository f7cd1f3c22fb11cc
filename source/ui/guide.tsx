import {Box, Text} from 'ink';
import {useCallback, useEffect, useMemo, useRef, useSyncExternalStore} from 'react';
import {chooseFix} from '../engine/next.ts';
import {rankedCauses} from '../engine/causes.ts';
import {findStep} from '../engine/steps.ts';
import type {CaptureLimits} from '../checks/capture-command.ts';
import type {QuizChoice} from '../drill/quiz.ts';
import type {Runbook} from '../runbook/schema.ts';
import type {SessionState} from '../session/store.ts';
import {StateContext, type ViewState} from './contexts.ts';
import {Checklist} from './checklist.tsx';
import {Header} from './header.tsx';
import {journalBanner} from './journal-banner.ts';
import {severityColor, type Glyphs} from './glyphs.ts';
import {allKeys, availableKeys} from './keys.ts';
import {layoutFor, packHints} from './layout.ts';
import {LineView} from './line-view.tsx';
import {fitLine, fitText, paragraph, plain, type Line} from './lines.ts';
import {NoteInput} from './note-input.tsx';
import {causeLines, fixLines, stepLines} from './panel-lines.ts';
import {logCommands} from './log-commands.ts';
import {confirmLines, quizPromptLines, revealLines} from './overlay-lines.ts';
import {ListSelect} from './list-select.tsx';
import {stepsOnScreen, targetStep, useGuideActions, type GuideActions, type GuideEffects} from './use-guide-actions.ts';
import {useGuideKeys} from './use-guide-keys.ts';
import {useGuideState, type GuideState} from './use-guide-state.ts';
import {useTerminalSize} from './use-terminal-size.ts';

export interface GuideProps {
	effects: GuideEffects;
	glyphs: Glyphs;
	color: boolean;
}

function panelLines(view: ViewState, captureLimits: CaptureLimits, width: number): Line[] {
	const {session: {run, running, reveal}, guide, glyphs} = view;
	if (guide.overlay === 'help')
		return [
			plain('help:title', 'Keys', {bold: true}),
			...allKeys.flatMap(k => paragraph(`help:${k.key}`, k.label, width, glyphs.ellipsis, {}, {text: (glyphs.unicode ? k.key : k.key.replace('↑ ↓', 'Up Down')).padEnd(16)})),
		];
	if (guide.overlay === 'log-confirm' && guide.log?.line) {
		const name = findStep(run.runbook, guide.log.stepId)?.step.source === 'postgres-log' ? 'the PostgreSQL log' : 'the denokv server log';
		return confirmLines(guide.log.line, name, captureLimits, width, glyphs);
	}
	if (guide.overlay === 'quiz') return quizPromptLines(width, glyphs);
	if (guide.view === 'quiz' && reveal) return revealLines(reveal, width, glyphs);
	if (guide.view === 'causes') return causeLines(rankedCauses(run), width, glyphs);
	if (guide.view === 'fix' && run.chosenFix) {
		const fix = run.runbook.fixes.find(f => f.id === run.chosenFix!.id);
		if (fix) return fixLines(fix, run, running, width, glyphs);
	}
	const stepId = guide.focus ?? run.visited.at(-1) ?? run.runbook.steps[0]!.id;
	const def = findStep(run.runbook, stepId);
	const step = run.steps[stepId];
	if (!def || !step) return [];
	const number = run.runbook.steps.findIndex(s => s.id === stepId);
	return stepLines(step, def.step, number >= 0 ? `${number + 1}. ` : '', running === stepId, width, glyphs);
}

interface ListProps {
	id: string;
	title: string;
	items: {key: string; value: string; label: string}[];
	/** Share of the body the list may take. */
	share: number;
	onSelect(value: string): void;
}

interface InputProps {
	id: string;
	label: string;
	initial: string;
	onSave(text: string): void;
}

/** The list under the panel, if the view or overlay has one: the fix to follow, a log command, the quiz's answers. */
function listFor(view: ViewState, actions: GuideActions, fixItems: ListProps['items'], quizChoices: readonly QuizChoice[] | undefined, width: number): ListProps | undefined {
	const {guide, glyphs} = view;
	const fit = (label: string) => fitText(label, width - 3, glyphs.ellipsis);
	if (guide.overlay === 'quiz' && quizChoices)
		return {id: 'quiz', title: 'What is the cause?', share: 2, items: quizChoices.map(c => ({key: c.id, value: c.id, label: fit(c.label)})), onSelect: v => actions.answerQuiz(v as QuizChoice['id'])};
	if (guide.overlay === 'log-command')
		return {id: 'log-command', title: 'Which command prints the denokv log here? (shown before it runs)', share: 2, items: logCommands.map(c => ({key: c.id, value: c.id, label: fit(c.label)})), onSelect: v => actions.log.pickCommand(v)};
	if (guide.view === 'causes' && !guide.overlay && fixItems.length > 0) return {id: 'fix', title: 'Choose the fix to follow:', share: 3, items: fixItems, onSelect: v => actions.chooseFix(v)};
	return undefined;
}

/** The one-line input under the panel, if an overlay has one: a note, a log path, a command's placeholder. */
function inputFor(view: ViewState, actions: GuideActions, onScreen: readonly string[]): InputProps | undefined {
	const {session: {run}, guide} = view;
	const noteTarget = targetStep(run, guide, onScreen);
	if (guide.overlay === 'note' && noteTarget)
		return {id: `note:${noteTarget}`, label: `Note on ${noteTarget}: `, initial: run.steps[noteTarget]?.note ?? '', onSave: text => actions.saveNote(text)};
	if (guide.overlay === 'log-path' && guide.log) return {id: 'log-path', label: `Log file for ${guide.log.stepId}: `, initial: '', onSave: text => void actions.log.usePath(text)};
	const command = logCommands.find(c => c.id === guide.log?.commandId);
	if (guide.overlay === 'log-value' && command?.ask) return {id: `log-value:${command.id}`, label: `${command.ask}: `, initial: '', onSave: text => actions.log.fillCommand(text)};
	return undefined;
}

const isMain = (runbook: Runbook, stepId: string) => findStep(runbook, stepId)?.main ?? false;

/** The first screen: the step last started (a resumed session may be running one again already). */
function initialGuide({run, running}: SessionState): GuideState {
	const focus = running ?? run.visited.at(-1);
	return {view: running && !isMain(run.runbook, running) ? 'fix' : 'step', scroll: 0, focus};
}

/** The guided runbook: header, checklist, the current panel, the keys that work now. */
export function Guide({effects, glyphs, color}: GuideProps) {
	const controller = effects.session;
	const session = useSyncExternalStore(controller.subscribe, controller.getState);
	const {run} = session;
	const [guide, dispatchGuide] = useGuideState(initialGuide(session));
	const guideRef = useRef<GuideState>(guide);
	guideRef.current = guide;
	const getGuide = useCallback(() => guideRef.current, []);
	const onScreenRef = useRef<readonly string[]>([]);
	const getOnScreen = useCallback(() => onScreenRef.current, []);
	const actions = useGuideActions(effects, getGuide, getOnScreen, dispatchGuide);
	const {columns, rows} = useTerminalSize();
	const layout = layoutFor(columns, rows);

	// The screen follows the session: a step that starts takes the panel.
	useEffect(
		() =>
			controller.onEvent(event => {
				if (event.type === 'step-started') dispatchGuide({type: 'follow', stepId: event.stepId, main: isMain(run.runbook, event.stepId)});
			}),
		[controller, run.runbook, dispatchGuide],
	);

	const view: ViewState = {session, guide, glyphs, color, width: layout.width, height: rows, training: Boolean(controller.quizChoices)};
	const choice = chooseFix(run);
	const fixItems = useMemo(() => {
		if (choice.kind !== 'choose-fix') return [];
		const ordered = choice.recommended ? [choice.recommended, ...choice.options.filter(o => o !== choice.recommended)] : choice.options;
		return ordered.map(id => {
			const fix = run.runbook.fixes.find(f => f.id === id);
			const star = id === choice.recommended ? `${glyphs.unicode ? '★' : '*'} ` : '  ';
			const label = `${star}${fix?.title ?? id}${id === choice.recommended ? ' (recommended)' : ''}`;
			return {key: id, value: id, label: fitText(label, layout.panelWidth - 3, glyphs.ellipsis)};
		});
	}, [run, choice.kind, layout.panelWidth, glyphs]);

	const list = listFor(view, actions, fixItems, controller.quizChoices, layout.panelWidth);
	const listHeight = list ? Math.min(list.items.length, Math.max(2, Math.floor(layout.bodyHeight / list.share))) + 1 : 0;
	const lines = panelLines(view, controller.captureLimits, layout.panelWidth).map(l => fitLine(l, layout.panelWidth, glyphs.ellipsis));
	// What `r`, `t` and `n` act on: judged on the panel's rows without the input, so opening it changes nothing.
	const panelHeight = Math.max(1, layout.bodyHeight - listHeight);
	const top = Math.min(guide.scroll, Math.max(0, lines.length - panelHeight));
	const onScreen = stepsOnScreen(lines.slice(top, top + panelHeight).map(l => l.key));
	onScreenRef.current = onScreen;
	const input = inputFor(view, actions, onScreen);
	const linesHeight = Math.max(1, panelHeight - (input ? 1 : 0));
	const maxScroll = Math.max(0, lines.length - linesHeight);
	const scroll = Math.min(guide.scroll, maxScroll);
	useGuideKeys(run, guide, actions, maxScroll, Math.max(1, linesHeight - 1));

	const shown = lines.slice(scroll, scroll + linesHeight);
	if (maxScroll > 0) {
		const more = `${scroll > 0 ? '↑' : ' '}${scroll < maxScroll ? '↓' : ' '} ${scroll + 1}-${scroll + shown.length}/${lines.length}`;
		shown[shown.length - 1] = plain('scroll', glyphs.unicode ? more : more.replace('↑', '^').replace('↓', 'v'), {dim: true});
	}
	const extras = {logInput: controller.logInput, quiz: Boolean(controller.quizChoices), onScreen};
	const hints = availableKeys(session, guide, extras).map(h => {
		const key = glyphs.unicode ? h.key : h.key.replace('↑↓', 'Up/Down');
		return key ? `${key} ${h.label}` : h.label;
	});
	// The first hint is what Enter does; help and quit come right after so they never fall off.
	const ordered = [hints[0]!, ...hints.slice(1).filter(h => h.startsWith('? ') || h.startsWith('q ')), ...hints.slice(1).filter(h => !h.startsWith('? ') && !h.startsWith('q '))];
	const footer = packHints(ordered, layout.width, layout.footerHeight, glyphs.ellipsis);
	const quitLine = guide.overlay === 'quit' ? 'Notes are not in a report yet. e exports then quits, q quits anyway, Esc stays.' : undefined;
	const message = quitLine ? {text: quitLine, severity: 'warning' as const} : (journalBanner(session.journalBacklog, controller.reportFallbackDir) ?? guide.message);
	const gap = Math.max(0, linesHeight - shown.length);

	return (
		<StateContext.Provider value={view}>
			<Box flexDirection="column" width={layout.width}>
				<Header />
				<Box flexDirection="row" height={layout.bodyHeight}>
					{layout.checklistWidth > 0 ? (
						<>
							<Checklist width={layout.checklistWidth} height={layout.bodyHeight} />
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
						{shown.map(line => (
							<LineView key={line.key} line={line} color={color} spinner={glyphs.spinner} />
						))}
						{list ? (
							<Box key={list.id} flexDirection="column" marginTop={gap}>
								<Text bold wrap="truncate-end">
									{fitText(list.title, layout.panelWidth, glyphs.ellipsis)}
								</Text>
								<ListSelect items={list.items} limit={listHeight - 1} isFocused={!session.running} glyphs={glyphs} color={color} onSelect={list.onSelect} />
							</Box>
						) : null}
						{input ? (
							<Box key={input.id} marginTop={gap}>
								<NoteInput label={input.label} initial={input.initial} width={layout.panelWidth} ellipsis={glyphs.ellipsis} onSave={input.onSave} onCancel={() => actions.overlay()} />
							</Box>
						) : null}
					</Box>
				</Box>
				<Text wrap="truncate-end" color={color && message ? severityColor[message.severity] : undefined}>
					{message ? fitText(`${message.severity === 'info' ? glyphs.info : glyphs[message.severity]} ${message.text}`, layout.width, glyphs.ellipsis) : ' '}
				</Text>
				{footer.map((line, i) => (
					<Text key={i} wrap="truncate-end" dimColor>
						{line || ' '}
					</Text>
				))}
			</Box>
		</StateContext.Provider>
	);
}
