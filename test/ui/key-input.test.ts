import {test} from 'node:test';
import assert from 'node:assert/strict';
import {parseKeys} from '../../source/ui/key-input.ts';

/* One read from the terminal may hold many keys (typed ahead, key repeat
 * over a slow link): each must come out on its own, in order. */

const names = (data: string) => parseKeys(data).map(k => k.name);

test('a burst of plain keys is one key each', () => {
	assert.deepEqual(names('jjj'), ['j', 'j', 'j']);
	assert.deepEqual(names('\r\r\r'), ['Enter', 'Enter', 'Enter']);
	assert.deepEqual(parseKeys('né😀').map(k => k.text), ['n', 'é', '😀']);
});

test('escape sequences back to back: arrows, pages, home and end, in both cursor modes, with modifiers', () => {
	assert.deepEqual(names('\u001b[B\u001b[B\u001b[B'), ['Down', 'Down', 'Down']);
	assert.deepEqual(names('\u001bOA\u001b[1;5C\u001b[5~\u001b[6~\u001b[H\u001b[4~'), ['Up', 'Right', 'PgUp', 'PgDn', 'Home', 'End']);
	assert.deepEqual(names('\u001b[3~\u001b[Z'), ['Delete', 'Shift-Tab']);
});

test('Enter typed before raw mode arrives as a line feed, and a pasted CRLF is one Enter', () => {
	assert.deepEqual(names('\n\n'), ['Enter', 'Enter']);
	assert.deepEqual(names('a\r\nb'), ['a', 'Enter', 'b']);
});

test('Esc typed ahead of a key keeps both; a lone Esc is Esc', () => {
	assert.deepEqual(names('\u001b'), ['Esc']);
	assert.deepEqual(names('\u001b\r'), ['Esc', 'Enter']);
	assert.deepEqual(names('\u001bq'), ['Esc', 'q']);
	assert.deepEqual(names('\u001b\u001b[A'), ['Esc', 'Up']);
});

test('control keys by name; space and backspace', () => {
	assert.deepEqual(names('\u0003\u0017\u0015\u007f\b\t '), ['Ctrl-C', 'Ctrl-W', 'Ctrl-U', 'Backspace', 'Backspace', 'Tab', 'Space']);
	assert.equal(parseKeys(' ')[0]!.text, ' ');
	assert.equal(parseKeys('\u0003')[0]!.text, undefined, 'a control key types nothing');
});
