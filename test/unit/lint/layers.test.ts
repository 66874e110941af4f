import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ESLint } from 'eslint';

// The layer rules of ARCHITECTURE.md are enforced by the linter: prove that a violation fails.
const root = join(__dirname, '..', '..', '..', '..');
const eslint = new ESLint({ cwd: root });

async function ruleIds(code: string, file: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

test('src/core may not import vscode, ws, the Kubernetes client or Node built-ins', { timeout: 120_000 }, async () => {
  for (const mod of ['vscode', 'ws', '@kubernetes/client-node', 'node:fs', 'fs', 'node:child_process']) {
    const ids = await ruleIds(`import * as m from '${mod}';\nexport const x = m;\n`, 'src/core/base/__probe__.ts');
    assert.ok(ids.includes('no-restricted-imports'), `${mod} in src/core must be rejected, got ${JSON.stringify(ids)}`);
  }
});

test('src/core may not reach into outer layers or use process', { timeout: 120_000 }, async () => {
  const ids = await ruleIds(`import { settings } from '../../vscode/settings';\nexport const x = settings;\n`, 'src/core/base/__probe__.ts');
  assert.ok(ids.includes('no-restricted-imports'));
  const globals = await ruleIds(`export const x = process.env.HOME;\n`, 'src/core/base/__probe__.ts');
  assert.ok(globals.includes('no-restricted-globals'));
});

test('src/platform and src/agent may not import vscode; src/vscode may', { timeout: 120_000 }, async () => {
  assert.ok((await ruleIds(`import * as vscode from 'vscode';\nexport const x = vscode;\n`, 'src/platform/kube/__probe__.ts')).includes('no-restricted-imports'));
  assert.ok((await ruleIds(`import * as vscode from 'vscode';\nexport const x = vscode;\n`, 'src/agent/__probe__.ts')).includes('no-restricted-imports'));
  assert.ok(!(await ruleIds(`import * as vscode from 'vscode';\nexport const x = vscode;\n`, 'src/vscode/__probe__.ts')).includes('no-restricted-imports'));
});

test('floating promises are rejected everywhere', { timeout: 120_000 }, async () => {
  const ids = await ruleIds(`async function f(): Promise<void> {}\nexport function g(): void { f(); }\n`, 'src/vscode/__probe__.ts');
  assert.ok(ids.includes('@typescript-eslint/no-floating-promises'), JSON.stringify(ids));
});

test('src/vscode renders and registers only: no Kubernetes client, no ws, no Node built-ins, no src/platform', { timeout: 120_000 }, async () => {
  for (const mod of ['@kubernetes/client-node', 'ws', 'node:fs', 'node:path', 'fs', 'node:child_process']) {
    const ids = await ruleIds(`import * as m from '${mod}';\nexport const x = m;\n`, 'src/vscode/__probe__.ts');
    assert.ok(ids.includes('no-restricted-imports'), `${mod} in src/vscode must be rejected, got ${JSON.stringify(ids)}`);
    const deeper = await ruleIds(`import * as m from '${mod}';\nexport const x = m;\n`, 'src/vscode/sync/__probe__.ts');
    assert.ok(deeper.includes('no-restricted-imports'), `${mod} in src/vscode/sync must be rejected, got ${JSON.stringify(deeper)}`);
  }
  // nor src/platform, at any depth: it asks the app layer, whose adapters the composition root builds
  for (const [file, mod] of [
    ['src/vscode/__probe__.ts', '../platform/kube/sliceClient'],
    ['src/vscode/sync/__probe__.ts', '../../platform/agent-link/portForwardTransport'],
    ['src/vscode/telemetry/__probe__.ts', '../../platform/telemetry/otlpDecoder'],
  ] as const) {
    const ids = await ruleIds(`import * as m from '${mod}';\nexport const x = m;\n`, file);
    assert.ok(ids.includes('no-restricted-imports'), `${mod} in ${file} must be rejected, got ${JSON.stringify(ids)}`);
  }
  // the composition root, outside src/vscode, may build the adapters
  assert.deepEqual(await ruleIds(`import * as vscode from 'vscode';\nimport { SliceClient } from './platform/kube/sliceClient';\nexport const x = [vscode, SliceClient];\n`, 'src/container.ts'), []);
  // what it may import: vscode, and the app layer
  assert.deepEqual(await ruleIds(`import * as vscode from 'vscode';\nimport { Sessions } from '../app/sessions';\nexport const x = [vscode, Sessions];\n`, 'src/vscode/__probe__.ts'), []);
});

test('src/app may not import vscode or the vscode layer; it may use platform and node', { timeout: 120_000 }, async () => {
  assert.ok((await ruleIds(`import * as vscode from 'vscode';\nexport const x = vscode;\n`, 'src/app/fork/__probe__.ts')).includes('no-restricted-imports'));
  assert.ok((await ruleIds(`import { settings } from '../../vscode/settings';\nexport const x = settings;\n`, 'src/app/fork/__probe__.ts')).includes('no-restricted-imports'));
  assert.deepEqual(await ruleIds(`import { join } from 'node:path';\nimport { AgentConnection } from '../../platform/agent-link/agentConnection';\nexport const x = [join, AgentConnection];\n`, 'src/app/fork/__probe__.ts'), []);
});

test('src/core may import the agent protocol (src/core/agent) but not the in-pod agent (src/agent)', { timeout: 120_000 }, async () => {
  assert.deepEqual(await ruleIds(`import { AgentError } from '../agent/errors';\nexport const x = AgentError;\n`, 'src/core/sync/__probe__.ts'), []);
  assert.ok((await ruleIds(`import { AgentServer } from '../../agent/server';\nexport const x = AgentServer;\n`, 'src/core/sync/__probe__.ts')).includes('no-restricted-imports'));
});
