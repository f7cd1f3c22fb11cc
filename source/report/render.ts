import type {RunState} from '../engine/types.ts';
import {buildJsonReport, type JsonReport} from './json.ts';
import {renderMarkdown} from './markdown.ts';
import {renderHtml} from './html.ts';
import {redactState, type RedactOptions} from './redact.ts';

/** json, markdown (GitHub, GitLab), html (the post-mortem), summary (≤ 6 plain lines for the incident channel), chat (Markdown without tables). */
export const reportFormats = ['json', 'markdown', 'html', 'summary', 'chat'] as const;
export type ReportFormat = (typeof reportFormats)[number];

/** The file name ending of each format, for a report written beside its journal. */
export const reportExtensions: Record<ReportFormat, string> = {json: '.json', markdown: '.md', html: '.html', summary: '.txt', chat: '.chat.md'};

export interface RenderOptions extends RedactOptions {
	/** Markdown: each step's SQL, folded in <details> (HTML always has it folded; chat and summary never). */
	includeSql?: boolean;
	/** Where the full report is (`host:/path`), for the summary's last line. */
	location?: string;
}

/**
 * Renders the report of a run. The state is redacted first (passwords always,
 * query literals on request), so no format can leak what another hides.
 */
export function renderReport(state: RunState, format: ReportFormat, options: RenderOptions = {}): string {
	return renderWithSummary(state, format, options).text;
}

/** The report and its summary, from one pass (an export shows the summary of what it wrote). */
export function renderWithSummary(state: RunState, format: ReportFormat, options: RenderOptions = {}): {text: string; summary: string[]} {
	const report = buildJsonReport(redactState(state, options), {location: options.location});
	return {text: renderJson(report, format, options), summary: report.summary};
}

function renderJson(report: JsonReport, format: ReportFormat, options: RenderOptions): string {
	switch (format) {
		case 'json':
			return `${JSON.stringify(report, null, 2)}\n`;
		case 'markdown':
			return renderMarkdown(report, {includeSql: options.includeSql});
		case 'chat':
			return renderMarkdown(report, {flavor: 'chat'});
		case 'html':
			return renderHtml(report);
		case 'summary':
			return `${report.summary.join('\n')}\n`;
	}
}
