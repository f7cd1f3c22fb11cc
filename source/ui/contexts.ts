import {createContext, useContext} from 'react';
import type {RunState} from '../engine/types.ts';
import type {GuideState} from './use-guide-state.ts';
import type {GuideActions} from './use-guide-actions.ts';
import type {Glyphs} from './glyphs.ts';

/* State and actions in separate contexts: a component that only acts does not
 * re-render when the state changes. */

export interface ViewState {
	run: RunState;
	guide: GuideState;
	glyphs: Glyphs;
	color: boolean;
	width: number;
	height: number;
	/** A drill quiz: the screen must not give the scenario away. */
	training: boolean;
}

export const StateContext = createContext<ViewState | undefined>(undefined);
export const ActionsContext = createContext<GuideActions | undefined>(undefined);

export function useViewState(): ViewState {
	const value = useContext(StateContext);
	if (!value) throw new Error('useViewState outside the guide');
	return value;
}

export function useActions(): GuideActions {
	const value = useContext(ActionsContext);
	if (!value) throw new Error('useActions outside the guide');
	return value;
}
