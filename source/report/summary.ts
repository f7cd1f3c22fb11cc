import type {Finding, Pooler, RankedCause, TargetInfo, Verdict} from '../engine/types.ts';
import {throughPooler} from '../engine/pooler.ts';
import {truncateWords} from '../text/escape.ts';
import {actionTarget, type ActionFacts, type Acts} from './acts.ts';
import {formatTime} from './format.ts';
import {findingBrief} from './timeline.ts';
import {figureChange} from '../engine/verification.ts';

/* The summary for the incident channel: at most six plain lines — no table,
 * no Markdown, nothing a chat tool mangles — that say what is wrong, the
 * evidence with its figures, the fix, what was done and whether it worked,
 * and where the full report is. `--format summary` prints just this; every
 * other format starts with it. */

export const maxSummaryLines = 6;
/** A chat message wraps long lines; past this a line says less, not more. */
const maxLineLength = 220;
/** A title shortened to fit the Actions line keeps at least this much. */
const minTitleLength = 24;
/** Evidence briefs on the evidence line. */
const maxEvidence = 2;
/** Actions named on the actions line; the rest are counted. */
const maxActions = 2;
/** Targets named for an action that acted on many (the sessions a leak left): the report lists them all. */
const maxTargetsNamed = 3;

export interface SummaryFacts {
	verdict: Verdict;
	finished: boolean;
	target: (Omit<TargetInfo, 'serverVersion' | 'pooler'> & {pooler?: Pooler | null}) | null;
	startedAt: string | null;
	/** The ranked causes, most likely first, with the findings behind them. */
	causes: RankedCause[];
	/** Every warning and critical finding, for a verdict no cause explains. */
	findings: Finding[];
	fix: {title: string; chosen: boolean; by: string | null; operator?: string | null} | null;
	acts: Acts;
	/** Where the full report is (`host:/path`), when it is written somewhere. */
	location?: string;
}

/** "03:12 UTC" (the date is on the headline). */
function clock(iso: string): string {
	return formatTime(iso).slice(11, 16) + ' UTC';
}

function headline(facts: SummaryFacts, top: RankedCause | undefined): string {
	const verdict = facts.verdict.toUpperCase() + (facts.finished || facts.verdict === 'unknown' ? '' : ' (run not finished)');
	const what =
		facts.verdict === 'ok'
			? 'nothing anomalous found'
			: top
				? `${top.title} (${top.likelihood})`
				: facts.verdict === 'unknown'
					? 'the session stopped before the run finished; nothing found so far'
					: 'no cause is likely (the findings below point nowhere in particular)';
	const t = facts.target;
	const where = t ? ` — ${t.database} on ${t.host}:${t.port}${throughPooler(t.pooler)}` : '';
	const when = facts.startedAt ? `, ${formatTime(facts.startedAt).slice(0, 16)} UTC` : '';
	return `${verdict}: ${what}${where}${when}`;
}

function evidence(facts: SummaryFacts, top: RankedCause | undefined): string | undefined {
	const findings = top ? top.findings : facts.findings;
	const briefs = [...new Set(findings.map(findingBrief))].slice(0, maxEvidence);
	return briefs.length > 0 ? `Evidence: ${briefs.join('; ')}` : undefined;
}

function fixHow(fix: NonNullable<SummaryFacts['fix']>): string {
	if (!fix.chosen) return 'recommended, not chosen yet';
	return fix.by === 'operator' ? `chosen by ${fix.operator ?? 'the operator'}` : 'chosen automatically (the top-ranked cause)';
}

/** What was done to what and how it went, then by whom and when: `…: done — by alice@bastion-1 at 03:12 UTC`. */
function actions(acts: Acts): string {
	const all = acts.actions;
	if (all.length === 0) return 'Actions: none taken';
	// One confirmation may act on many sessions: one entry per action, its targets and outcomes counted.
	const groups: ActionFacts[][] = [];
	for (const a of all) {
		const group = groups.find(g => g[0]!.title === a.title);
		if (group) group.push(a);
		else groups.push([a]);
	}
	// Each entry: what was done (a title, which may give up words) and to what, with how it went (which may not).
	const shown = groups.slice(0, maxActions).map(group => {
		const [first] = group as [ActionFacts];
		if (group.length === 1) return {title: plain(first.title), outcome: plain(` on ${actionTarget(first.target)}: ${first.status}${first.error ? ` (${first.error})` : ''}`)};
		const statuses = [...new Set(group.map(a => a.status))].map(status => `${group.filter(a => a.status === status).length} ${status}`);
		const targets = group.map(a => actionTarget(a.target));
		const named = targets.length > maxTargetsNamed ? `${targets.slice(0, maxTargetsNamed).join(', ')}, …` : targets.join(', ');
		return {title: plain(first.title), outcome: plain(` on ${group.length} targets (${named}): ${statuses.join(', ')}`)};
	});
	const more = groups.length > shown.length ? `; ${groups.length - shown.length} more` : '';
	const who = [...new Set(all.map(a => a.operator))].join(', ');
	const first = clock(all[0]!.confirmedAt);
	const last = clock(all.at(-1)!.confirmedAt);
	const when = first === last ? `at ${first}` : `${first.replace(' UTC', '')}–${last}`;
	// A line too long for the channel shortens the titles alike; every outcome, who acted and when stay.
	const byWhom = ` — by ${plain(who)} ${when}`;
	const fixed = 'Actions: '.length + shown.reduce((n, e) => n + e.outcome.length, 0) + '; '.length * (shown.length - 1) + more.length + byWhom.length;
	const titleRoom = Math.max(minTitleLength, Math.floor((maxLineLength - fixed) / shown.length));
	const done = shown.map(e => `${truncateWords(e.title, titleRoom)}${e.outcome}`).join('; ');
	return `Actions: ${done}${more}${byWhom}`;
}

function verification(acts: Acts): string | undefined {
	const v = acts.verifications.at(-1);
	if (!v) return acts.actions.some(a => a.status === 'done') ? 'Verification: not run yet' : undefined;
	// A figure the diagnosis could not look at (a branch went past it, the connection was refused) was not seen then.
	const figures = v.figures.map(f => `${f.name} ${figureChange(f)}`).join(', ');
	return `Verified at ${clock(v.at)}: ${v.cleared ? 'cleared' : 'NOT cleared'}${figures ? ` — ${figures}` : ''}`;
}

/**
 * One line, nothing a chat tool turns into markup: a backtick from a log line
 * or a role name would open a code span that swallows the rest of the message.
 */
function plain(line: string): string {
	return line.replace(/\s+/g, ' ').replaceAll('`', "'");
}

/** The summary, one string per line (at most six, none of them empty). */
export function summaryLines(facts: SummaryFacts): string[] {
	const top = facts.causes[0]?.likelihood === 'unlikely' ? undefined : facts.causes[0];
	const lines: (string | undefined)[] = [headline(facts, top)];
	if (facts.verdict !== 'ok') {
		lines.push(evidence(facts, top));
		if (facts.fix) lines.push(`Fix: ${facts.fix.title} — ${fixHow(facts.fix)}`);
		lines.push(actions(facts.acts), verification(facts.acts));
	}
	if (facts.location) lines.push(`Full report: ${facts.location}`);
	return lines
		.filter((line): line is string => line !== undefined)
		.map(line => truncateWords(plain(line), maxLineLength))
		.slice(0, maxSummaryLines);
}
