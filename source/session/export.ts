import {tmpdir} from 'node:os';
import {basename, join} from 'node:path';
import type {RunState} from '../engine/types.ts';
import {writeProblem} from '../files/file-problem.ts';
import {renderWithSummary, reportExtensions} from '../report/render.ts';
import {renderCommand, reportLocation} from '../report/location.ts';
import {writeFileAtomic} from '../report/write-file-atomic.ts';
import type {ReportOptions} from './options.ts';
import type {ExportedReport} from './controller.ts';

/** Where `e` (and an interrupted session) writes the report: --output, else beside the journal. */
export function reportPath(report: Pick<ReportOptions, 'format' | 'output'>, journalPath: string): string {
	return report.output ?? journalPath.replace(/\.jsonl$/, '') + reportExtensions[report.format];
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
 * reportFallbackDir(); resolves with where, in which format and the summary
 * for the incident channel (which names that place); rejects with one line
 * when neither place takes it whole.
 */
export function reportExporter(report: ReportOptions, journalPath: string) {
	const render = (state: RunState, path: string) => {
		const location = report.format === 'summary' ? renderCommand(journalPath) : reportLocation(path);
		return renderWithSummary(state, report.format, {redactLiterals: report.redactLiterals ?? false, includeSql: report.includeSql ?? false, location});
	};
	return async (state: RunState): Promise<ExportedReport> => {
		const path = reportPath(report, journalPath);
		const first = render(state, path);
		try {
			writeFileAtomic(path, first.text);
			return {path, format: report.format, summary: first.summary};
		} catch (error) {
			const elsewhere = join(reportFallbackDir(), basename(path));
			if (elsewhere === path) throw new Error(`cannot write ${path}: ${writeProblem(error)}`);
			const second = render(state, elsewhere);
			try {
				writeFileAtomic(elsewhere, second.text);
			} catch {
				throw new Error(`cannot write ${path} (${writeProblem(error)}) nor ${elsewhere}`);
			}
			return {path: elsewhere, format: report.format, summary: second.summary};
		}
	};
}
