import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeLimits, limitsOf, plural } from '../../../../src/core/slice/limits';
import { DEFAULT_PLATFORM_CONFIG } from '../../../../src/core/slice/platformConfig';
import { parseWorkspaceConfig } from '../../../../src/core/slice/workspaceConfig';

const limits = limitsOf(DEFAULT_PLATFORM_CONFIG);

test('every problem of slice.yaml is reported at once: a schema problem and a semantic one, in file order', () => {
  const text = ['baseline: shop', 'resorces:', '  cpu: "2"', 'forks:', '  - workload: orders', '    sync: { local: /abs/path, container: /app }', ''].join('\n');
  const r = parseWorkspaceConfig(text);
  assert.equal(r.ok, false);
  const problems = r.ok ? [] : r.problems;
  assert.deepEqual(
    problems.map((p) => [p.range.startLine, p.severity]),
    [
      [2, 'error'],
      [6, 'error'],
    ],
  );
  assert.match(problems[0]!.message, /unknown field `resorces` \(did you mean `resources`\?\)/);
  assert.match(problems[1]!.message, /must be relative to the workspace folder/);
});

test('"did you mean" carries a quick fix that replaces exactly the misspelt key', () => {
  const r = parseWorkspaceConfig('baseline: shop\nforks:\n  - workload: orders\n    contianer: app\n');
  assert.equal(r.ok, false);
  const p = r.ok ? undefined : r.problems[0];
  assert.deepEqual(p?.fix, { title: 'Change `contianer` to `container`', range: { startLine: 4, startColumn: 5, endLine: 4, endColumn: 14 }, text: 'container' });
});

test('values over the platform caps are warnings at their lines that say what the slice will get', () => {
  const r = parseWorkspaceConfig('baseline: shop\nttl: 48h\nresources:\n  cpu: "8"\n  memory: 1Gi\n  pods: 50\nforks:\n  - workload: orders\n', limits);
  assert.equal(r.ok, true);
  const warnings = r.ok ? r.warnings : [];
  assert.deepEqual(
    warnings.map((w) => [w.range.startLine, w.message]),
    [
      [2, 'ttl 48h is over the platform cap 24h: you will get 24h.'],
      [4, 'resources.cpu "8" is over the platform cap "4": you will get 4.'],
      [6, 'resources.pods 50 is over the platform cap 20: you will get 20.'],
    ],
  );
  // Within the caps, or without knowing them: nothing to say.
  const fine = parseWorkspaceConfig('baseline: shop\nttl: 8h\nforks:\n  - workload: orders\n', limits);
  assert.deepEqual(fine.ok ? fine.warnings : 'failed', []);
});

test('the limits in words, and plurals', () => {
  assert.equal(describeLimits(limits), 'a slice lives up to 24h (4h if slice.yaml says nothing); cpu up to 4, memory up to 4Gi, 20 pods; 3 slices per developer');
  assert.equal(plural(1, 'fork'), '1 fork');
  assert.equal(plural(2, 'fork'), '2 forks');
  assert.equal(plural(0, 'fork'), '0 forks');
});
