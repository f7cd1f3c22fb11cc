import {useLatestInput} from './use-latest-input.ts';
import type {RunState} from '../engine/types.ts';
import type {GuideActions} from './use-guide-actions.ts';
import type {GuideState} from './use-guide-state.ts';

/** Keyboard of the guide. The footer's hints come from keys.ts; both follow the same states. */
export function useGuideKeys(run: RunState, guide: GuideState, actions: GuideActions, maxScroll: number, page: number): void {
	// Ctrl-C works everywhere, the note input included: Ink leaves it to us (exitOnCtrlC off).
	useLatestInput((input, key) => {
		if (key.ctrl && input === 'c') actions.interrupt();
	});

	useLatestInput(
		(input, key) => {
			if (key.ctrl) return;
			if (guide.overlay === 'quit') {
				if (input === 'e') void actions.exportReport().then(() => actions.quit(true));
				else if (input === 'q') actions.quit(true);
				else if (key.escape) actions.overlay();
				return;
			}
			if (guide.overlay === 'log-confirm') {
				if (input === 'y' || input === 'Y') void actions.log.confirmCommand(true);
				else if (input === 'n' || input === 'N' || key.escape) void actions.log.confirmCommand(false);
				return;
			}
			if (guide.overlay === 'log-command' || guide.overlay === 'quiz') {
				// Arrows and Enter belong to the list.
				if (key.escape) actions.overlay();
				return;
			}
			if (guide.overlay === 'help') {
				if (key.escape || input === '?') actions.overlay();
				else if (input === 'q') actions.quit();
				return;
			}
			if (key.pageDown) return actions.scroll(page, maxScroll);
			if (key.pageUp) return actions.scroll(-page, maxScroll);
			if (input === 'j') return actions.scroll(1, maxScroll);
			if (input === 'k') return actions.scroll(-1, maxScroll);
			if (input === '?') return actions.overlay('help');
			if (input === 'q') return actions.quit();
			if (input === 'e') return void actions.exportReport();
			if (input === 'f' && run.chosenFix) return actions.show('fix');
			if (input === 'a') return actions.openQuiz();
			if (guide.view === 'quiz') {
				if (key.escape || key.return) actions.show('step');
				else if (input === 'c') actions.show('causes');
				return;
			}
			if (guide.view === 'causes') {
				// Arrows and Enter belong to the fix list here.
				if (key.escape) actions.show('step');
				return;
			}
			if (input === 'c') return actions.show('causes');
			if (input === 'n') return actions.overlay('note');
			if (key.return) return actions.next();
			if (input === 'r') return actions.rerun();
			if (input === 't' || input === ' ') return actions.tick();
			if (input === 'l') return actions.log.askPath();
			if (input === 'x') return actions.log.askCommand();
			if (key.upArrow || key.downArrow) {
				const ids = run.runbook.steps.map(s => s.id);
				const at = guide.focus && ids.includes(guide.focus) ? ids.indexOf(guide.focus) : Math.max(0, ids.indexOf(run.visited.at(-1) ?? ''));
				const to = Math.max(0, Math.min(ids.length - 1, at + (key.upArrow ? -1 : 1)));
				actions.show('step', ids[to]);
			}
		},
		// The one-line inputs take every key themselves.
		guide.overlay !== 'note' && guide.overlay !== 'log-path' && guide.overlay !== 'log-value',
	);
}
