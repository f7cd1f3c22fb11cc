import {createInterface} from 'node:readline/promises';
import {createExecutor} from '../session/create-executor.ts';
import {readJournal} from '../journal/read.ts';
import {replayJournal, resumedEvent} from '../journal/replay.ts';
import {reduce} from '../engine/reducer.ts';
import {osOperator} from '../session/operator.ts';
import {listSessions} from '../journal/sessions.ts';
import {journalDir} from '../journal/location.ts';
import {JournalLockedError} from '../journal/lock.ts';
import {reopenJournal} from '../journal/write.ts';
import type {Journal} from '../journal/header.ts';
import {renderReport, reportFormats, type ReportFormat} from '../report/render.ts';
import {resolveTarget, targetNamed} from '../postgres/target.ts';
import type {TargetInfo} from '../engine/types.ts';
import {escapeUntrusted} from '../text/escape.ts';
import type {ReportOptions, TargetOptions} from '../session/options.ts';
import {targetUrl} from '../session/options.ts';
import {guidedSession, interactive, openGuide} from './open-guide.ts';
import {journalWarnings} from './report.ts';
import {writeStdout} from './stdout.ts';


/**
 * The report options the session started with. A journal is untrusted input:
 * only the format and the literal redaction come from it, never a path —
 * `e` writes beside the journal.
 */
function reportOptionsOf(saved: Record<string, unknown>): ReportOptions {
	const format = (reportFormats as readonly unknown[]).includes(saved['format']) ? (saved['format'] as ReportFormat) : 'markdown';
	return {format, redactLiterals: saved['redactLiterals'] === true, includeSql: saved['includeSql'] === true};
}

function describeTarget(t: TargetInfo): string {
	return `${t.user}@${t.host}:${t.port}/${t.database}`;
}

async function ask(question: string): Promise<boolean> {
	const rl = createInterface({input: process.stdin, output: process.stderr});
	try {
		return /^y(es)?$/i.test((await rl.question(question)).trim());
	} catch {
		return false;
	} finally {
		rl.close();
	}
}

/**
 * The target to resume against. It comes from the command line or the
 * environment, as for any session; a journal (which anyone who can write the
 * file may have edited) only suggests one, shown to the operator and used
 * only when they say yes. Undefined: the operator declined.
 */
async function chooseTarget(journal: Journal, options: TargetOptions & {postgresUrl?: string}): Promise<{url?: string; env: NodeJS.ProcessEnv} | undefined> {
	const given = targetUrl(options);
	const recorded = journal.header.target;
	if (targetNamed(given)) {
		const now = resolveTarget(given).info;
		if (describeTarget(now) !== describeTarget(recorded))
			process.stderr.write(`pg500: this session ran against ${describeTarget(recorded)}; resuming against ${escapeUntrusted(describeTarget(now))} as given\n`);
		return {url: given, env: process.env};
	}
	const savedUrl = typeof journal.header.options['url'] === 'string' ? journal.header.options['url'] : undefined;
	const shown = savedUrl ?? describeTarget(recorded);
	if (!(await ask(`pg500: no target given (--url, DATABASE_URL or PGHOST). The journal names ${shown}. Connect to it? [y/N] `))) {
		process.stderr.write('pg500: nothing was resumed; give the target with --url (or DATABASE_URL / PGHOST)\n');
		return undefined;
	}
	if (savedUrl) return {url: savedUrl, env: process.env};
	// From the journal's target, field by field: no URL is built from text anyone could have written.
	const {DATABASE_URL: _ignored, ...env} = process.env;
	return {env: {...env, PGHOST: recorded.host, PGPORT: String(recorded.port), PGUSER: recorded.user, PGDATABASE: recorded.database}};
}

/** Another session holds the journal: say who, and offer to show it read-only (what `pg500 report` prints). */
async function offerReadOnly(error: JournalLockedError, journal: Journal): Promise<number> {
	process.stderr.write(`pg500: ${error.message}\n`);
	if (await ask(`pg500: show the session read-only instead (as pg500 report ${escapeUntrusted(journal.path)} does)? [y/N] `))
		await writeStdout(renderReport(replayJournal(journal), 'markdown'));
	return 3;
}

/**
 * `pg500 resume [JOURNAL]`: replays the journal and reopens the session where
 * it stopped — finished steps, notes and the chosen fix intact; a step that
 * was running when the link dropped runs again — appending to the same
 * journal, which it holds locked so no second session appends at once.
 */
export async function resume(journalPath: string | undefined, options: TargetOptions & {postgresUrl?: string}): Promise<number> {
	if (!interactive()) {
		process.stderr.write('pg500: resume needs a terminal (it continues an interactive session); use pg500 report JOURNAL for a report\n');
		return 3;
	}
	let file = journalPath;
	if (file === undefined) {
		const sessions = listSessions().filter(s => !s.problem);
		if (sessions.length === 0) {
			process.stderr.write(`pg500: no sessions to resume in ${escapeUntrusted(journalDir())}\n`);
			return 3;
		}
		const {pickSession} = await import('../ui/session-picker.tsx');
		file = await pickSession(sessions);
		if (file === undefined) return 3;
	}
	const journal = readJournal(file);
	const state = replayJournal(journal);
	const name = escapeUntrusted(file);
	if (journal.damagedLine !== undefined) {
		// Appending after a damaged line would put the new events where no reader gets to them.
		for (const line of journalWarnings(journal, name)) process.stderr.write(`pg500: ${line}\n`);
		process.stderr.write(`pg500: ${name} cannot be resumed past its damaged line; pg500 report ${name} shows what it holds\n`);
		return 3;
	}
	let writer;
	try {
		writer = reopenJournal(file);
	} catch (error) {
		if (error instanceof JournalLockedError) return offerReadOnly(error, journal);
		throw error;
	}
	let executor;
	try {
		const target = await chooseTarget(journal, options);
		if (!target) {
			writer.close();
			return 3;
		}
		executor = createExecutor({...options, url: target.url, postgresUrl: undefined}, target.env);
	} catch (error) {
		writer.close();
		throw error;
	}
	// The timeline says how long the session was away, how it had ended, and who goes on with it where.
	const resumed = resumedEvent(journal, state, osOperator());
	writer.append(resumed, {flush: true});
	const session = guidedSession({state: reduce(state, resumed), executor, journal: writer, report: reportOptionsOf(journal.header.options)});
	// A step cut off when the session stopped runs again first; the screen follows it.
	void session.rerunInterrupted();
	return openGuide({session, executor, journal: writer, color: options.color});
}
