import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type LineEdit, LineShifts, shiftLine } from '../../../../src/core/telemetry/lineShifts';

const insert = (line: number, character: number, lines: number): LineEdit => ({ startLine: line, startCharacter: character, endLine: line, endCharacter: character, insertedLines: lines });
const remove = (from: number, to: number): LineEdit => ({ startLine: from, startCharacter: 0, endLine: to, endCharacter: 0, insertedLines: 0 });

test('shiftLine: lines above an edit stay, lines below move by the lines it added or removed, a replaced line is gone', () => {
  assert.equal(shiftLine(10, insert(3, 0, 2)), 12, 'two lines inserted above');
  assert.equal(shiftLine(10, insert(10, 0, 1)), 11, 'a line inserted at the start of this line pushes it down');
  assert.equal(shiftLine(10, insert(10, 4, 1)), 10, 'a break typed inside the line leaves its start where it was');
  assert.equal(shiftLine(10, insert(12, 0, 5)), 10, 'below: untouched');
  assert.equal(shiftLine(10, remove(2, 5)), 7, 'three lines deleted above');
  assert.equal(shiftLine(4, remove(2, 5)), undefined, 'deleted');
});

test('issue 20 item 8: a diagnostic of the version the slice ran follows the lines inserted above it, edit after edit; undo brings it back', () => {
  const shifts = new LineShifts();
  shifts.seen('v1');
  shifts.edited([insert(0, 0, 3)]);
  shifts.seen('v2');
  shifts.edited([insert(5, 0, 1)]);
  assert.equal(shifts.map('v1', 20), 24, 'line 21 of v1 is line 25 now');
  assert.equal(shifts.map('v2', 20), 21);
  shifts.edited([remove(5, 6), remove(0, 3)]);
  shifts.seen('v1'); // undone: the content is v1's again
  assert.equal(shifts.map('v1', 20), 20);
  assert.equal(shifts.map('unknown', 20), 20, 'a version never seen: the line as recorded');
});
