import {readFileSync} from 'node:fs';
import {Ajv2020} from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

/** Validates a report against docs/report.schema.json; returns the problems (empty when valid). */
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const schema = JSON.parse(readFileSync(new URL('../../docs/report.schema.json', import.meta.url), 'utf8'));
const ajv = new Ajv2020({allErrors: true, strict: true, allowUnionTypes: true});
addFormats(ajv);
const validateReport = ajv.compile(schema);

export function schemaProblems(report: unknown): string[] {
	return validateReport(report) ? [] : (validateReport.errors ?? []).map(e => `${e.instancePath} ${e.message}`);
}
