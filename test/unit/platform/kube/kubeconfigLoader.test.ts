import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeconfigLoader } from '../../../../src/platform/kube/kubeconfigLoader';

const dir = mkdtempSync(join(tmpdir(), 'slice-kc-'));
function kubeconfig(name: string, contexts: { name: string; cluster: string; server: string; user: string }[], current?: string): string {
  const file = join(dir, name);
  const y = [
    'apiVersion: v1',
    'kind: Config',
    `current-context: ${current ?? '""'}`,
    'clusters:',
    ...contexts.map((c) => `- name: ${c.cluster}\n  cluster:\n    server: ${c.server}`),
    'users:',
    ...contexts.map((c) => `- name: ${c.user}\n  user:\n    token: t-${c.user}`),
    'contexts:',
    ...contexts.map((c) => `- name: ${c.name}\n  context:\n    cluster: ${c.cluster}\n    user: ${c.user}`),
  ].join('\n');
  writeFileSync(file, y);
  return file;
}

test('loads contexts with their servers and current-context from the setting', async () => {
  const file = kubeconfig('one', [{ name: 'dev', cluster: 'c1', server: 'https://127.0.0.1:6443', user: 'alice' }], 'dev');
  const loader = new KubeconfigLoader({ kubeconfigPath: () => file }, {});
  const load = await loader.load();
  assert.equal(load.state, 'ok');
  assert.deepEqual(load.state === 'ok' && load.contexts, [{ name: 'dev', cluster: 'c1', user: 'alice', server: 'https://127.0.0.1:6443' }]);
  assert.equal(load.state === 'ok' && load.currentContext, 'dev');
  assert.ok(loader.loaded);
});

test('merges KUBECONFIG files: the first file wins a name clash', async () => {
  const a = kubeconfig('a', [{ name: 'dev', cluster: 'c1', server: 'https://first', user: 'u1' }], 'dev');
  const b = kubeconfig('b', [
    { name: 'dev', cluster: 'c1', server: 'https://second', user: 'u1' },
    { name: 'prod', cluster: 'c2', server: 'https://prod', user: 'u2' },
  ]);
  const loader = new KubeconfigLoader({ kubeconfigPath: () => undefined }, { KUBECONFIG: `${a}:${b}:${join(dir, 'missing')}`, HOME: dir });
  const load = await loader.load();
  assert.equal(load.state, 'ok');
  if (load.state !== 'ok') return;
  assert.deepEqual(load.contexts.map((c) => `${c.name}=${c.server}`), ['dev=https://first', 'prod=https://prod']);
  assert.deepEqual(load.sources.missing, [join(dir, 'missing')]);
});

test('missing, malformed and empty kubeconfigs are told apart', async () => {
  const missing = await new KubeconfigLoader({ kubeconfigPath: () => join(dir, 'nope') }, {}).load();
  assert.equal(missing.state, 'missing');
  const badFile = join(dir, 'bad');
  writeFileSync(badFile, 'clusters: [\n  - : : :');
  const bad = await new KubeconfigLoader({ kubeconfigPath: () => badFile }, {}).load();
  assert.equal(bad.state, 'invalid');
  assert.match(bad.state === 'invalid' ? bad.message : '', /bad/);
  const emptyFile = join(dir, 'empty');
  writeFileSync(emptyFile, 'apiVersion: v1\nkind: Config\n');
  const empty = await new KubeconfigLoader({ kubeconfigPath: () => emptyFile }, {}).load();
  assert.equal(empty.state, 'invalid');
  assert.match(empty.state === 'invalid' ? empty.message : '', /defines no contexts/);
});
