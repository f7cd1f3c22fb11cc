export * from './types.ts';
export {initialState, reduce} from './reducer.ts';
export {nextMove, chooseFix, branchHolds} from './next.ts';
export {rankCauses, rankedCauses, allFindings, likelihoodOf} from './causes.ts';
export {evaluateRules, worstSeverity} from './rules.ts';
export {verdictOf, exitCodes} from './verdict.ts';
export {findStep} from './steps.ts';
