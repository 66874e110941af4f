import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SPARK_COLOURS, base64Ascii, sparklineDataUri, sparklineSvg } from '../../../../../src/core/telemetry/metrics/sparkline';

test('a sparkline: a line per run of values, a dot for a value alone, gaps where there is none; scaled from 0', () => {
  const svg = sparklineSvg([{ values: [10, 20, undefined, 5, undefined, undefined], colour: SPARK_COLOURS.mine }])!;
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="180" height="40"/);
  assert.equal((svg.match(/<polyline /g) ?? []).length, 1, 'the run 10, 20');
  assert.equal((svg.match(/<circle /g) ?? []).length, 1, 'the 5 alone');
  assert.match(svg, /points="2,20 37\.2,2"/, '20 is the top, 10 half way; x steps evenly over 6 points');
  assert.match(svg, /cx="107\.6" cy="29"/);
  assert.doesNotMatch(svg, /[()]/, 'no parentheses (safe inside a Markdown image link)');
  const both = sparklineSvg([{ values: [1, 2], colour: SPARK_COLOURS.mine }, { values: [2, 2], colour: SPARK_COLOURS.baseline, dashed: true }])!;
  assert.match(both, /stroke="#3b82c4" stroke-width="1.5" stroke-dasharray="3 2"/);
  assert.equal(sparklineSvg([{ values: [undefined, undefined], colour: '#000' }]), undefined);
  assert.equal(sparklineDataUri([]), undefined);
});

test('the data URI is the SVG in base64 (what a Markdown hover renders as an image)', () => {
  const series = [{ values: [3, 1, 4, 1, 5], colour: SPARK_COLOURS.mine }];
  const uri = sparklineDataUri(series)!;
  assert.ok(uri.startsWith('data:image/svg+xml;base64,'));
  assert.equal(Buffer.from(uri.slice('data:image/svg+xml;base64,'.length), 'base64').toString('ascii'), sparklineSvg(series));
  for (const s of ['', 'a', 'ab', 'abc', 'abcd', '<svg a="1"/>']) assert.equal(base64Ascii(s), Buffer.from(s, 'ascii').toString('base64'));
});
