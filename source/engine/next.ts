import type {BranchCondition} from '../runbook/schema.ts';
import type {NextMove, RunState} from './types.ts';
import {allFindings, rankedCauses} from './causes.ts';
import {atLeast} from './rules.ts';
import {position} from './steps.ts';

export function branchHolds(condition: BranchCondition, state: RunState): boolean {
	if ('finding' in condition)
		return allFindings(state).some(f => f.ref === condition.finding && atLeast(f.severity, condition.atLeast));
	const step = state.steps[condition.step];
	return step !== undefined && (condition.status as string[]).includes(step.status);
}

/** Where a branch target leads: a step, a fix, the cause ranking or the end. */
function moveTo(target: string, state: RunState): NextMove {
	if (target === 'end') return {kind: 'end'};
	if (target === 'causes') return chooseFix(state);
	if (state.runbook.fixes.some(f => f.id === target)) return {kind: 'fix', fixId: target};
	return {kind: 'step', stepId: target};
}

/**
 * After the checks: the fixes of every cause, the most likely first (the
 * operator may pick any); one is recommended only when the top cause is not unlikely.
 */
export function chooseFix(state: RunState): NextMove {
	const causes = rankedCauses(state);
	const options = [...new Set(causes.map(c => c.fixId))];
	const top = causes[0];
	const recommended = top && top.likelihood !== 'unlikely' ? top.fixId : undefined;
	return {kind: 'choose-fix', recommended, options};
}

/** The step a main step falls through to when no branch matches. */
function following(stepId: string, state: RunState): string | undefined {
	const ids = state.runbook.steps.map(s => s.id);
	return ids.slice(ids.indexOf(stepId) + 1).find(id => state.steps[id]?.status === 'pending');
}

/**
 * The recommended next move. The first matching branch of the last step
 * wins; otherwise the following pending step; after the last step, the
 * cause ranking. Once a fix is chosen: its pending follow-up checks, then the end.
 */
export function nextMove(state: RunState): NextMove {
	if (state.finishedAt) return {kind: 'end'};
	if (state.chosenFix) {
		// A running follow-up stays the move until it finishes, as a running main step does.
		const open = Object.values(state.steps).find(
			s => s.fixId === state.chosenFix!.id && (s.status === 'pending' || s.status === 'running'),
		);
		return open ? {kind: 'step', stepId: open.id} : {kind: 'end'};
	}
	const last = position(state);
	if (last === undefined) return {kind: 'step', stepId: state.runbook.steps[0]!.id};
	if (state.steps[last]?.status === 'running') return {kind: 'step', stepId: last};

	const step = state.runbook.steps.find(s => s.id === last)!;
	const branch = (step.next ?? []).find(b => branchHolds(b.if, state));
	if (branch) return moveTo(branch.goto, state);
	const after = following(last, state);
	return after ? {kind: 'step', stepId: after} : chooseFix(state);
}
