import type {RunState} from '../engine/types.ts';
import {renderReport} from '../report/render.ts';
import {writeFileAtomic} from '../report/write-file-atomic.ts';
import type {ReportOptions} from './options.ts';

const extensions: Record<ReportOptions['format'], string> = {markdown: '.md', json: '.json', html: '.html'};

/** Where `e` (and an interrupted session) writes the report: --output, else beside the journal. */
export function reportPath(report: Pick<ReportOptions, 'format' | 'output'>, journalPath: string): string {
	return report.output ?? journalPath.replace(/\.jsonl$/, '') + extensions[report.format];
}

/** Writes the report of a state as the options say; resolves with where and in which format. */
export function reportExporter(report: ReportOptions, journalPath: string) {
	return async (state: RunState) => {
		const path = reportPath(report, journalPath);
		writeFileAtomic(path, renderReport(state, report.format, {redactLiterals: report.redactLiterals ?? false}));
		return {path, format: report.format};
	};
}
