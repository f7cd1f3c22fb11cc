import {createContext, useContext} from 'react';
import type {SessionState} from '../session/store.ts';
import type {GuideState} from './use-guide-state.ts';
import type {Glyphs} from './glyphs.ts';

/* What the screen shows, in a context the display-only components read. The
 * actions stay out of it (Gemini CLI keeps state and actions apart): they reach
 * the keyboard hook, the lists and the inputs as props. */

export interface ViewState {
	session: SessionState;
	guide: GuideState;
	glyphs: Glyphs;
	color: boolean;
	width: number;
	height: number;
	/** A drill quiz: the screen must not give the scenario away. */
	training: boolean;
}

export const StateContext = createContext<ViewState | undefined>(undefined);

export function useViewState(): ViewState {
	const value = useContext(StateContext);
	if (!value) throw new Error('useViewState outside the guide');
	return value;
}
