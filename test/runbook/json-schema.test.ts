import {test} from 'node:test';
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {parse} from 'yaml';
import {Ajv2020} from 'ajv/dist/2020.js';
import {runbookSchemaFile, runbookSchemaText} from '../../scripts/write-schemas.ts';

const committed = readFileSync(runbookSchemaFile, 'utf8');
const validate = new Ajv2020({allErrors: true, strict: false}).compile(JSON.parse(committed));

test('runbooks/runbook.schema.json is up to date with source/runbook/schema.ts (else: npm run schema)', () => {
	assert.equal(committed, runbookSchemaText());
});

test('it names itself and the draft it follows', () => {
	const schema = JSON.parse(committed);
	assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
	assert.equal(schema.title, 'pg500 runbook');
	assert.ok(schema.$defs.condition, 'conditions are one recursive definition');
});

test('the shipped runbook satisfies it, and so does a minimal one with defaults left out', () => {
	const shipped = parse(readFileSync(new URL('../../runbooks/postgres-500.yaml', import.meta.url), 'utf8'));
	assert.ok(validate(shipped), JSON.stringify(validate.errors));
	assert.ok(validate(minimal({column: 'n', gt: 1})), JSON.stringify(validate.errors));
});

function minimal(warning: unknown) {
	return {
		id: 'm',
		title: 'M',
		steps: [{id: 'a', title: 'A', why: 'w', kind: 'sql', query: 'select 1', rules: [{id: 'r', message: 'm', warning}]}],
		causes: [{id: 'c', title: 'C', symptom: 's', check: 'k', fix: 'f'}],
	};
}

test('nested conditions are checked all the way down through $ref', () => {
	assert.ok(validate(minimal({all: [{any: [{column: 'n', gt: '$x'}, {rows: {eq: 0}}]}]})), JSON.stringify(validate.errors));
	assert.equal(validate(minimal({all: [{any: [{column: 'n', gtt: 1}]}]})), false);
	assert.equal(validate(minimal({all: [{any: [{rows: {gt: [1]}}]}]})), false);
	assert.equal(validate(minimal({all: []})), false);
});

test('what an editor should flag: unknown keys, unknown step kinds, bad ids', () => {
	const bad = minimal({column: 'n', gt: 1});
	assert.equal(validate({...bad, colour: 'red'}), false);
	assert.equal(validate({...bad, steps: [{...bad.steps[0], kind: 'shell'}]}), false);
	assert.equal(validate({...bad, id: 'Not An Id'}), false);
	assert.equal(validate({...bad, steps: []}), false);
});
