import {chmodSync, closeSync, fdatasyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync} from 'node:fs';
import path from 'node:path';
import type {RunEvent, TargetInfo} from '../engine/types.ts';
import {redactValue} from '../report/redact.ts';
import {journalVersion, type JournalHeader} from './header.ts';
import {journalDir, journalFileName} from './location.ts';

/* Appending to the journal. Every event is written as it happens (one
 * write per line, straight to the file descriptor, no buffering in the
 * process), so a dropped SSH link or kill -9 loses at most the line being
 * written. What the operator typed is flushed to disk at once (`flush`):
 * one fdatasync per keystroke-sized event is cheap. */

export interface JournalWriter {
	readonly path: string;
	append(event: RunEvent, options?: {flush?: boolean}): void;
	/** Flushes and closes; appending afterwards is a programming error. */
	close(): void;
}

export interface NewJournal {
	/** Directory for a journal named by start time (default: journalDir()). */
	dir?: string;
	/** Exactly this file instead (`--journal PATH`); it must not exist yet. */
	path?: string;
	runbookPath: string;
	runbookText: string;
	target: TargetInfo;
	options: Record<string, unknown>;
	startedAt?: string;
}

// postgres://user:secret@host → postgres://user@host: a resumed session asks
// for the password again (or finds it in ~/.pgpass) rather than trying "***".
const urlPassword = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@'"]*):[^\s@/'"]*@/gi;

function safeOptions(options: Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(options)) {
		if (value === undefined || typeof value === 'function') continue;
		out[key] = typeof value === 'string' ? value.replace(urlPassword, '$1@') : value;
	}
	return redactValue(out);
}

/** Creates a new journal (directory 0700, file 0600) and writes its header. */
export function openJournal(spec: NewJournal): JournalWriter {
	const startedAt = spec.startedAt ?? new Date().toISOString();
	let file: string;
	if (spec.path !== undefined) {
		file = spec.path;
		mkdirSync(path.dirname(file), {recursive: true, mode: 0o700});
	} else {
		const dir = spec.dir ?? journalDir();
		mkdirSync(dir, {recursive: true, mode: 0o700});
		// mkdir leaves an existing directory's mode alone; journals hold query text and host names.
		chmodSync(dir, 0o700);
		file = path.join(dir, journalFileName(startedAt));
	}
	const header: JournalHeader = {
		type: 'session',
		version: journalVersion,
		runbookPath: spec.runbookPath,
		runbookText: spec.runbookText,
		target: redactValue({
			host: spec.target.host,
			port: spec.target.port,
			database: spec.target.database,
			user: spec.target.user,
			serverVersion: spec.target.serverVersion,
			pooler: spec.target.pooler ?? null,
		}),
		options: safeOptions(spec.options),
		startedAt,
	};
	const fd = openSync(file, 'wx', 0o600);
	writeSync(fd, `${JSON.stringify(header)}\n`);
	fdatasyncSync(fd);
	return writer(file, fd);
}

/**
 * Opens an existing journal to go on appending (`pg500 resume`). A last line
 * cut off by a crash is removed first, so the next event starts on a line of its own.
 */
export function reopenJournal(file: string): JournalWriter {
	const fd = openSync(file, 'r+');
	const text = readFileSync(fd, 'utf8');
	const end = text.lastIndexOf('\n') + 1;
	if (end < text.length) ftruncateSync(fd, Buffer.byteLength(text.slice(0, end)));
	closeSync(fd);
	return writer(file, openSync(file, 'a'));
}

function writer(file: string, fd: number): JournalWriter {
	let open = true;
	return {
		path: file,
		append(event, options = {}) {
			if (!open) throw new Error(`journal ${file} is closed`);
			writeSync(fd, `${JSON.stringify(redactValue(event))}\n`);
			if (options.flush) fdatasyncSync(fd);
		},
		close() {
			if (!open) return;
			open = false;
			fdatasyncSync(fd);
			closeSync(fd);
		},
	};
}
