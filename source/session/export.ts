import {tmpdir} from 'node:os';
import {basename, join} from 'node:path';
import type {RunState} from '../engine/types.ts';
import {writeProblem} from '../files/file-problem.ts';
import {renderReport} from '../report/render.ts';
import {writeFileAtomic} from '../report/write-file-atomic.ts';
import type {ReportOptions} from './options.ts';

const extensions: Record<ReportOptions['format'], string> = {markdown: '.md', json: '.json', html: '.html'};

/** Where `e` (and an interrupted session) writes the report: --output, else beside the journal. */
export function reportPath(report: Pick<ReportOptions, 'format' | 'output'>, journalPath: string): string {
	return report.output ?? journalPath.replace(/\.jsonl$/, '') + extensions[report.format];
}

/**
 * Where the report goes when its own place cannot take it (the journal's
 * disk is full): the temporary directory, often another file system.
 */
export function reportFallbackDir(): string {
	return tmpdir();
}

/**
 * Writes the report of a state as the options say, else (a full disk) in
 * reportFallbackDir(); resolves with where and in which format, rejects with
 * one line when neither place takes it whole.
 */
export function reportExporter(report: ReportOptions, journalPath: string) {
	return async (state: RunState) => {
		const path = reportPath(report, journalPath);
		const text = renderReport(state, report.format, {redactLiterals: report.redactLiterals ?? false});
		try {
			writeFileAtomic(path, text);
			return {path, format: report.format};
		} catch (error) {
			const elsewhere = join(reportFallbackDir(), basename(path));
			if (elsewhere === path) throw new Error(`cannot write ${path}: ${writeProblem(error)}`);
			try {
				writeFileAtomic(elsewhere, text);
			} catch {
				throw new Error(`cannot write ${path} (${writeProblem(error)}) nor ${elsewhere}`);
			}
			return {path: elsewhere, format: report.format};
		}
	};
}
