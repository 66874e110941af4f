import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nullLogger } from '../../../../src/core/base/logger';
import { type CommandFailureReport, runCommand } from '../../../../src/core/base/runCommand';
import { classifyRequestFailure } from '../../../../src/core/cluster/clusterProblem';
import { ClusterProblemError, expectedError } from '../../../../src/core/cluster/environmentsModel';

const ctx = { contextName: 'bob', server: 'https://127.0.0.1:6443', user: 'bob', action: 'list pods in slice-alice-fix' };

test('a 403 inside a namespace says the namespace is closed to you, not that you lack the developer role', () => {
  const p = classifyRequestFailure({ status: 403, message: 'Forbidden', serverMessage: 'pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "slice-alice-fix"' }, ctx);
  assert.equal(p.kind, 'forbidden');
  assert.match(p.message, /namespace slice-alice-fix is not open to you/);
  assert.doesNotMatch(p.message, /developer role/);
});

test('a cluster-wide 403 (no developer role at all) still says to ask for the role', () => {
  const p = classifyRequestFailure({ status: 403, message: 'Forbidden', serverMessage: 'slices.slice.dev is forbidden: User "carol" cannot list resource "slices" in API group "slice.dev" at the cluster scope' }, { ...ctx, user: 'carol', action: 'list slices' });
  assert.match(p.message, /Ask your platform team for the Slice developer role/);
});

async function reported(e: unknown): Promise<CommandFailureReport> {
  let report: CommandFailureReport | undefined;
  await runCommand('slice.createSlice', () => { throw expectedError(e); }, nullLogger, { showError: (r) => ((report = r), Promise.resolve(undefined)), runAction: () => Promise.resolve() });
  await new Promise((r) => setImmediate(r));
  assert.ok(report);
  return report;
}

test('an expected cluster condition (the slice already exists) is shown in its own words, without "Unexpected error:"', async () => {
  const conflict = new ClusterProblemError(classifyRequestFailure({ status: 409, message: 'Conflict', serverMessage: 'slices.slice.dev "alice-fix" already exists' }, { ...ctx, action: 'create slice alice-fix' }));
  const report = await reported(conflict);
  assert.doesNotMatch(report.message, /Unexpected error/);
  assert.match(report.message, /already exists/);
  const down = await reported(new ClusterProblemError(classifyRequestFailure({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, ctx)));
  assert.deepEqual(down.actions, ['retry', 'selectCluster', 'showLogs']);
});

test('a real bug is still an unexpected error', async () => {
  const report = await reported(new TypeError('x is undefined'));
  assert.match(report.message, /^Unexpected error: x is undefined/);
});
