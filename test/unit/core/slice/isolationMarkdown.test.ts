import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ISOLATION_CHECKS, result, summarize } from '../../../../src/core/slice/isolation';
import { isolationReportMarkdown } from '../../../../src/core/slice/isolationMarkdown';

test('a passing report says "Isolated" and lists every check', () => {
  const report = summarize('alice', 'slice-alice-x', 0, 4200, [
    result(ISOLATION_CHECKS.otherTenants, 'pass', 'alice cannot get, list or exec in slice-bob-y'),
    result(ISOLATION_CHECKS.network, 'skip', 'no other slice to connect to'),
  ]);
  const md = isolationReportMarkdown(report, 'x');
  assert.match(md, /^# Isolation of slice x$/m);
  assert.match(md, /\*\*Isolated\.\*\* 1 checks passed, 1 skipped\./);
  assert.match(md, /\| ✅ pass \| No access to other tenants' slices \| alice cannot get, list or exec in slice-bob-y \|/);
  assert.match(md, /in 4\.2 s/);
});

test('a failing report says which checks failed; pipes in messages do not break the table', () => {
  const report = summarize('alice', 'ns', 0, 1, [result(ISOLATION_CHECKS.hostPath, 'fail', 'a hostPath pod was accepted | dry-run'), result(ISOLATION_CHECKS.root, 'error', 'timeout')]);
  const md = isolationReportMarkdown(report, 'x');
  assert.match(md, /\*\*Not isolated\.\*\* 1 check\(s\) failed and 1 could not run; 0 passed\./);
  assert.match(md, /a hostPath pod was accepted \\\| dry-run/);
});
