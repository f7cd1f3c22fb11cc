import type {RunState} from '../engine/types.ts';
import {buildJsonReport} from './json.ts';
import {renderMarkdown} from './markdown.ts';
import {renderHtml} from './html.ts';
import {redactState, type RedactOptions} from './redact.ts';

export type ReportFormat = 'json' | 'markdown' | 'html';

/**
 * Renders the report of a run. The state is redacted first (passwords always,
 * query literals on request), so no format can leak what another hides.
 */
export function renderReport(state: RunState, format: ReportFormat, options: RedactOptions = {}): string {
	const report = buildJsonReport(redactState(state, options));
	switch (format) {
		case 'json':
			return `${JSON.stringify(report, null, 2)}\n`;
		case 'markdown':
			return renderMarkdown(report);
		case 'html':
			return renderHtml(report);
	}
}
