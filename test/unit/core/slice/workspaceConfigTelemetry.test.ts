import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWorkspaceConfig, toForkSpecs } from '../../../../src/core/slice/workspaceConfig';

const config = (extra: string, forkExtra = '') => `baseline: shop\n${extra}forks:\n  - workload: orders\n${forkExtra}  - workload: inventory\n`;

test("slice.yaml's telemetry.exportDelay reaches every fork's spec; a fork's own wins", () => {
  const r = parseWorkspaceConfig(config('telemetry:\n  exportDelay: 1s\n', '    telemetry: { exportDelay: 50ms }\n'));
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(
    toForkSpecs(r.config).map((f) => [f.workload, f.telemetry]),
    [
      ['orders', { exportDelayMs: 50 }],
      ['inventory', { exportDelayMs: 1000 }],
    ],
  );
});

test('without telemetry in slice.yaml the spec says nothing (the controller picks the development default)', () => {
  const r = parseWorkspaceConfig(config(''));
  assert.ok(r.ok);
  assert.deepEqual(toForkSpecs(r.config).map((f) => 'telemetry' in f), [false, false]);
});

test('a malformed or out-of-range export delay is an error at its line', () => {
  const bad = parseWorkspaceConfig(config('telemetry:\n  exportDelay: 5 minutes\n'));
  assert.equal(bad.ok, false);
  assert.deepEqual(bad.ok ? [] : bad.problems.map((p) => [p.range.startLine, p.message]), [[3, 'telemetry.exportDelay: must be a delay like 200ms or 1s.']]);
  const far = parseWorkspaceConfig(config('', '    telemetry:\n      exportDelay: 90s\n'));
  assert.equal(far.ok, false);
  assert.deepEqual(far.ok ? [] : far.problems.map((p) => [p.range.startLine, p.message]), [[5, 'forks[0].telemetry.exportDelay: "90s" is outside 10ms to 60s.']]);
  const unknown = parseWorkspaceConfig(config('telemetry:\n  exportDelays: 1s\n'));
  assert.match(unknown.ok ? '' : unknown.problems[0]!.message, /unknown field `exportDelays` \(did you mean `exportDelay`\?\)/);
});
