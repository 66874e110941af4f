import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandHome, resolveKubeconfigSources } from '../../../../src/core/cluster/kubeconfigSources';

const base = { setting: undefined, kubeconfigEnv: undefined, home: '/home/ann', pathDelimiter: ':' as const, pathSeparator: '/' as const };
const existing = (...files: string[]) => (p: string) => files.includes(p);

test('the setting wins over KUBECONFIG and the default, with ~ expanded', () => {
  const s = resolveKubeconfigSources({ ...base, setting: '~/k/dev.yaml', kubeconfigEnv: '/etc/k' }, existing('/home/ann/k/dev.yaml', '/etc/k'));
  assert.deepEqual(s, { origin: 'setting', files: ['/home/ann/k/dev.yaml'], missing: [] });
});

test('a setting naming a missing file is reported missing, with no fallback', () => {
  const s = resolveKubeconfigSources({ ...base, setting: '/nope', kubeconfigEnv: '/etc/k' }, existing('/etc/k', '/home/ann/.kube/config'));
  assert.deepEqual(s, { origin: 'setting', files: [], missing: ['/nope'] });
});

test('KUBECONFIG lists several files; missing ones are kept aside; duplicates and blanks dropped', () => {
  const s = resolveKubeconfigSources({ ...base, kubeconfigEnv: '/a::/b:/a: /c ' }, existing('/a', '/c'));
  assert.deepEqual(s, { origin: 'env', files: ['/a', '/c'], missing: ['/b'] });
});

test('Windows delimiters and separators', () => {
  const s = resolveKubeconfigSources({ ...base, home: 'C:\\Users\\ann', pathDelimiter: ';', pathSeparator: '\\', kubeconfigEnv: 'C:\\k1;~\\k2' }, () => true);
  assert.deepEqual(s.files, ['C:\\k1', 'C:\\Users\\ann\\k2']);
});

test('default ~/.kube/config, present or missing; no home gives nothing', () => {
  assert.deepEqual(resolveKubeconfigSources(base, existing('/home/ann/.kube/config')).files, ['/home/ann/.kube/config']);
  assert.deepEqual(resolveKubeconfigSources(base, existing()).missing, ['/home/ann/.kube/config']);
  assert.deepEqual(resolveKubeconfigSources({ ...base, home: undefined }, () => true), { origin: 'default', files: [], missing: [] });
  assert.deepEqual(resolveKubeconfigSources({ ...base, kubeconfigEnv: '   ' }, existing('/home/ann/.kube/config')).origin, 'default');
});

test('expandHome only touches a leading ~', () => {
  assert.equal(expandHome('~', '/h'), '/h');
  assert.equal(expandHome('/x/~/y', '/h'), '/x/~/y');
  assert.equal(expandHome('~other/x', '/h'), '~other/x');
});
