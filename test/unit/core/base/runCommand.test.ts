import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, type ErrorAction, UserError } from '../../../../src/core/base/errors';
import { type ILogger } from '../../../../src/core/base/logger';
import { type CommandFailureReport, runCommand } from '../../../../src/core/base/runCommand';

function harness(pick?: ErrorAction) {
  const logs: { level: string; message: string }[] = [];
  const shown: CommandFailureReport[] = [];
  const ran: { action: ErrorAction; id: string }[] = [];
  const logger: ILogger = {
    trace: (m) => logs.push({ level: 'trace', message: m }),
    debug: (m) => logs.push({ level: 'debug', message: m }),
    info: (m) => logs.push({ level: 'info', message: m }),
    warn: (m) => logs.push({ level: 'warn', message: m }),
    error: (m) => logs.push({ level: 'error', message: String(m) }),
  };
  const reporter = {
    showError: (r: CommandFailureReport) => (shown.push(r), Promise.resolve(pick)),
    runAction: (action: ErrorAction, id: string) => (ran.push({ action, id }), Promise.resolve()),
  };
  return { logs, shown, ran, logger, reporter };
}

const settle = () => new Promise((r) => setImmediate(r));

test('a successful command returns its value and reports nothing', async () => {
  const h = harness();
  assert.equal(await runCommand('slice.x', () => 42, h.logger, h.reporter), 42);
  assert.equal(h.shown.length, 0);
  assert.equal(h.logs.filter((l) => l.level === 'error').length, 0);
});

test('cancellation is silent', async () => {
  const h = harness();
  assert.equal(await runCommand('slice.x', () => Promise.reject(new CancelledError()), h.logger, h.reporter), undefined);
  await settle();
  assert.equal(h.shown.length, 0);
  assert.equal(h.logs.filter((l) => l.level === 'error').length, 0);
});

test('a UserError is shown once with its actions plus Show Logs, logged once with its detail', async () => {
  const h = harness('retry');
  await runCommand('slice.refresh', () => { throw new UserError('Cannot reach the cluster.', ['retry'], 'ECONNREFUSED 127.0.0.1:1'); }, h.logger, h.reporter);
  await settle();
  assert.deepEqual(h.shown, [{ message: 'Cannot reach the cluster.', actions: ['retry', 'showLogs'] }]);
  const errors = h.logs.filter((l) => l.level === 'error');
  assert.equal(errors.length, 1);
  assert.match(errors[0]!.message, /ECONNREFUSED/);
  assert.deepEqual(h.ran, [{ action: 'retry', id: 'slice.refresh' }]);
});

test('an unexpected error shows its first line only, never the stack; the log has the stack', async () => {
  const h = harness();
  await runCommand('slice.x', () => { throw new TypeError('cannot read x\nsecond line'); }, h.logger, h.reporter);
  await settle();
  assert.equal(h.shown.length, 1);
  assert.equal(h.shown[0]!.message, 'Unexpected error: cannot read x');
  assert.doesNotMatch(h.shown[0]!.message, /at /);
  assert.match(h.logs.find((l) => l.level === 'error')!.message, /TypeError: cannot read x[\s\S]*at /);
});

test('a reporter that fails does not turn into an unhandled rejection', async () => {
  const h = harness();
  const reporter = { showError: () => Promise.reject(new Error('no window')), runAction: () => Promise.resolve() };
  await runCommand('slice.x', () => { throw new UserError('x'); }, h.logger, reporter);
  await settle();
  assert.ok(h.logs.some((l) => l.level === 'warn' && /no window/.test(l.message)));
});

test('a UserError already in the log is shown but not logged again', async () => {
  const h = harness();
  await runCommand('slice.refresh', () => { throw new UserError('Cannot reach the cluster.', ['retry'], 'detail', true); }, h.logger, h.reporter);
  await settle();
  assert.equal(h.shown.length, 1);
  assert.equal(h.logs.filter((l) => l.level === 'error' || l.level === 'warn').length, 0);
});
