import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nullLogger } from '../../../../src/core/base/logger';
import { type KubeContext, type NamespaceInfo } from '../../../../src/core/cluster/environments';
import { ClusterProblemError, type ClusterPort, EnvironmentsModel, type KubeconfigLoad, type KubeconfigPort, type SelectionStore } from '../../../../src/core/cluster/environmentsModel';

const sources = { origin: 'env' as const, files: ['/k'], missing: [] };
const contexts: KubeContext[] = [
  { name: 'prod', cluster: 'p', user: 'alice', server: 'https://p' },
  { name: 'dev', cluster: 'd', user: 'alice', server: 'https://d' },
];
const okLoad: KubeconfigLoad = { state: 'ok', sources, contexts, currentContext: 'dev' };

function memorySelection(initial?: string): SelectionStore & { value: string | undefined } {
  const s = { value: initial, get: () => s.value, set: (v: string | undefined) => ((s.value = v), Promise.resolve()) };
  return s;
}
const kubeconfig = (load: KubeconfigLoad): KubeconfigPort => ({ load: () => Promise.resolve(load) });
const cluster = (fn: (c: KubeContext, signal: AbortSignal) => Promise<NamespaceInfo[]>): ClusterPort => ({ listEnvironmentNamespaces: fn });

test('selects the remembered context, else current-context, and lists its environments', async () => {
  const asked: string[] = [];
  const model = new EnvironmentsModel(kubeconfig(okLoad), cluster((c) => (asked.push(c.name), Promise.resolve([{ name: 'shop', labels: { 'slice.dev/role': 'baseline' }, annotations: {} }]))), memorySelection(), nullLogger);
  const statuses: string[] = [];
  model.onDidChange((s) => statuses.push(s.cluster.status));
  await model.refresh();
  assert.equal(model.state.selected, 'dev');
  assert.deepEqual(statuses, ['connecting', 'ok']);
  assert.equal(model.state.cluster.status === 'ok' && model.state.cluster.environments[0]?.namespace, 'shop');

  const remembered = new EnvironmentsModel(kubeconfig(okLoad), cluster((c) => (asked.push(c.name), Promise.resolve([]))), memorySelection('prod'), nullLogger);
  await remembered.refresh();
  assert.equal(remembered.state.selected, 'prod');
  assert.deepEqual(asked, ['dev', 'prod']);
});

test('a remembered context that no longer exists falls back to current-context', async () => {
  const model = new EnvironmentsModel(kubeconfig(okLoad), cluster(() => Promise.resolve([])), memorySelection('gone'), nullLogger);
  await model.refresh();
  assert.equal(model.state.selected, 'dev');
});

test('missing and invalid kubeconfigs leave no cluster', async () => {
  const missing = new EnvironmentsModel(kubeconfig({ state: 'missing', sources: { origin: 'default', files: [], missing: ['/h/.kube/config'] } }), cluster(() => Promise.reject(new Error('not called'))), memorySelection(), nullLogger);
  await missing.refresh();
  assert.equal(missing.state.kubeconfig.state, 'missing');
  assert.equal(missing.state.cluster.status, 'none');
  const throwing = new EnvironmentsModel({ load: () => Promise.reject(new Error('yaml: bad indent')) }, cluster(() => Promise.resolve([])), memorySelection(), nullLogger);
  await throwing.refresh();
  assert.equal(throwing.state.kubeconfig.state, 'invalid');
});

test('a cluster failure keeps its classified problem; a non-classified one gets a message', async () => {
  const problem = { kind: 'unreachable' as const, message: 'Cannot reach the cluster.', detail: 'ECONNREFUSED' };
  const model = new EnvironmentsModel(kubeconfig(okLoad), cluster(() => Promise.reject(new ClusterProblemError(problem))), memorySelection(), nullLogger);
  await model.refresh();
  assert.deepEqual(model.state.cluster.status === 'failed' && model.state.cluster.problem, problem);
  const other = new EnvironmentsModel(kubeconfig(okLoad), cluster(() => Promise.reject(new Error('weird'))), memorySelection(), nullLogger);
  await other.refresh();
  assert.match(other.state.cluster.status === 'failed' ? other.state.cluster.problem.message : '', /context "dev": weird/);
});

test('a newer refresh supersedes an older one: the late answer is dropped and the old request aborted', async () => {
  const pending: { resolve: (v: NamespaceInfo[]) => void; signal: AbortSignal; context: string }[] = [];
  const model = new EnvironmentsModel(
    kubeconfig(okLoad),
    cluster((c, signal) => new Promise((resolve) => pending.push({ resolve, signal, context: c.name }))),
    memorySelection(),
    nullLogger,
  );
  const first = model.refresh();
  await new Promise((r) => setImmediate(r));
  const second = model.select('prod');
  await new Promise((r) => setImmediate(r));
  assert.equal(pending.length, 2);
  assert.equal(pending[0]!.signal.aborted, true);
  pending[1]!.resolve([{ name: 'new', labels: { 'slice.dev/role': 'baseline' }, annotations: {} }]);
  pending[0]!.resolve([{ name: 'old', labels: { 'slice.dev/role': 'baseline' }, annotations: {} }]);
  await Promise.all([first, second]);
  assert.equal(model.state.selected, 'prod');
  assert.equal(model.state.cluster.status === 'ok' && model.state.cluster.environments[0]?.namespace, 'new');
});

test('selecting an unknown context is an error and remembers nothing', async () => {
  const selection = memorySelection();
  const model = new EnvironmentsModel(kubeconfig(okLoad), cluster(() => Promise.resolve([])), selection, nullLogger);
  await model.refresh();
  await assert.rejects(model.select('nope'), /no context named "nope"/);
  assert.equal(selection.value, undefined);
});
