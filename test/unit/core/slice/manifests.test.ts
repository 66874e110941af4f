import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  effectiveQuota, labelValue, parseQuantity, renderAgentSecret, renderLimitRange, renderNamespace, renderNetworkPolicies,
  renderOwnerRbac, renderQuota, sliceContext, type SliceContext,
} from '../../../../src/core/slice/manifests';
import { AGENT_CONTAINER, RESTRICTED_CONTAINER, SEED_CONTAINER, renderFork } from '../../../../src/core/slice/fork';
import { DEFAULT_PLATFORM_CONFIG } from '../../../../src/core/slice/platformConfig';
import { podUse, replacementRoom } from '../../../../src/core/slice/quotaRoom';
import { type PodSpec } from '../../../../src/core/slice/k8sTypes';
import { type SliceObject } from '../../../../src/core/slice/sliceResource';
import { type Deployment } from '../../../../src/core/slice/k8sTypes';

const slice: SliceObject = {
  apiVersion: 'slice.dev/v1alpha1',
  kind: 'Slice',
  metadata: { name: 'alice-feature', uid: 'u-1' },
  spec: { owner: 'alice', baseline: 'shop', forks: [{ workload: 'web' }] },
};
const quota = effectiveQuota(undefined, DEFAULT_PLATFORM_CONFIG);
const ctx = sliceContext(slice, '2026-01-01T14:00:00Z', quota) as SliceContext;

test('sliceContext derives names and refuses names that are not <owner>-<name>', () => {
  assert.equal(ctx.namespace, 'slice-alice-feature');
  assert.equal(ctx.shortName, 'feature');
  assert.deepEqual(sliceContext({ ...slice, metadata: { name: 'bob-feature' } }, '', quota), { error: 'the Slice name "bob-feature" must be "alice-<name>" for owner alice' });
  assert.ok('error' in sliceContext({ ...slice, metadata: { name: 'alice-' } }, '', quota));
  assert.equal(labelValue('alice@example.com'), 'alice_example.com');
});

test('the namespace carries owner, baseline, expiry and Pod Security restricted', () => {
  const ns = renderNamespace(ctx);
  const l = ns.metadata.labels ?? {};
  assert.equal(l['slice.dev/role'], 'slice');
  assert.equal(l['slice.dev/owner'], 'alice');
  assert.equal(l['slice.dev/slice'], 'feature');
  assert.equal(l['slice.dev/baseline'], 'shop');
  assert.equal(l['slice.dev/expires'], String(Date.parse('2026-01-01T14:00:00Z') / 1000));
  for (const mode of ['enforce', 'warn', 'audit']) assert.equal(l[`pod-security.kubernetes.io/${mode}`], 'restricted');
  assert.equal(ns.metadata.annotations?.['slice.dev/expires-at'], '2026-01-01T14:00:00Z');
  assert.deepEqual(ns.metadata.ownerReferences, [{ apiVersion: 'slice.dev/v1alpha1', kind: 'Slice', name: 'alice-feature', uid: 'u-1', controller: true }]);
});

test('quota: defaults, asked values, and the platform maximum as a cap', () => {
  assert.deepEqual(quota, { cpu: '2', memory: '2Gi', pods: 10 });
  assert.deepEqual(effectiveQuota({ cpu: '500m', memory: '64Gi', pods: 99 }, DEFAULT_PLATFORM_CONFIG), { cpu: '500m', memory: '4Gi', pods: 20 });
  assert.equal(parseQuantity('256Mi'), 256 * 1024 * 1024);
  assert.equal(parseQuantity('1.5'), 1.5);
  assert.equal(parseQuantity('lots'), undefined);
  const q = renderQuota(ctx);
  assert.equal(q.spec.hard['limits.cpu'], '2');
  // Room for one replacement pod per fork: the forked app (no resources: the LimitRange defaults) and the agent.
  const fork = renderFork(baseline, undefined, { workload: 'web' }, ctx, { agentImage: 'a' });
  assert.ok(fork.ok);
  const room = replacementRoom([(fork.deployment as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec], DEFAULT_PLATFORM_CONFIG.containerDefaults);
  assert.deepEqual(room, { requestsCpu: 60, limitsCpu: 1500, requestsMemory: (64 + 48) * 1024 ** 2, limitsMemory: 512 * 1024 ** 2, pods: 1 });
  const roomy = renderQuota(ctx, room);
  assert.deepEqual([roomy.spec.hard['limits.cpu'], roomy.spec.hard['requests.cpu'], roomy.spec.hard['limits.memory'], roomy.spec.hard['requests.memory'], roomy.spec.hard.pods], ['3500m', '2060m', '2560Mi', '2160Mi', '11']);
  const seeded = podUse({ containers: [{ name: 'a', resources: { limits: { cpu: '100m', memory: '64Mi' } } }], initContainers: [{ name: 'big', resources: { limits: { cpu: '2', memory: '1Gi' } } }] }, DEFAULT_PLATFORM_CONFIG.containerDefaults);
  assert.deepEqual(seeded, { requestsCpu: 2000, limitsCpu: 2000, requestsMemory: 1024 ** 3, limitsMemory: 1024 ** 3, pods: 1 }, 'an init container larger than the containers counts, and a limit without a request requests the limit');
  assert.equal(q.spec.hard['services.nodeports'], '0');
  const lr = renderLimitRange(ctx, DEFAULT_PLATFORM_CONFIG) as { spec: { limits: { default: unknown }[] } };
  assert.deepEqual(lr.spec.limits[0]?.default, { cpu: '500m', memory: '256Mi' });
});

test('network policies: default deny both ways, own namespace, baseline both ways, the collector to the routed-traces port, DNS only to CoreDNS', () => {
  const nps = renderNetworkPolicies(ctx);
  assert.deepEqual(nps.map((n) => n.metadata.name), ['slice-default-deny', 'slice-allow-same-namespace', 'slice-allow-baseline', 'slice-allow-routed-traces', 'slice-allow-dns']);
  // the baseline collector's pods, in to port 4319 only, nothing out
  assert.deepEqual(JSON.parse(JSON.stringify(nps.find((n) => n.metadata.name === 'slice-allow-routed-traces')?.spec)), {
    podSelector: {},
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'slice-system' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'slice-otelcol' } } }], ports: [{ protocol: 'TCP', port: 4319 }] }],
  });
  nps.splice(3, 1);
  assert.deepEqual(nps[0]?.spec, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  assert.deepEqual(JSON.parse(JSON.stringify(nps[2]?.spec)).egress, [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } }] }]);
  const dns = JSON.stringify(nps[3]?.spec);
  assert.match(dns, /"k8s-app":"kube-dns"/);
  assert.match(dns, /"protocol":"UDP","port":53/);
  assert.ok(!('ingress' in (nps[3]?.spec as object)));
});

test('RBAC binds slice:owner to the owner only; the token secret holds the given token', () => {
  const rb = renderOwnerRbac(ctx);
  assert.deepEqual(rb.subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }]);
  assert.deepEqual(rb.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'slice:owner' });
  assert.deepEqual(renderAgentSecret(ctx, 'abc').stringData, { token: 'abc' });
});

const baseline: Deployment = {
  metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' }, resourceVersion: '9', uid: 'b-1' },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web', 'pod-template-hash': 'x' } },
      spec: {
        serviceAccountName: 'web-sa',
        securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [{ name: 'web', image: 'localhost/slice/web:1', env: [{ name: 'MODE', value: 'prod' }], ports: [{ containerPort: 8080 }] }],
      },
    },
  },
};

test('renderFork copies the Deployment with the agent sidecar, the seed initContainer and a shared volume', () => {
  const r = renderFork(baseline, { metadata: { name: 'web' }, spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } }, { workload: 'web', env: [{ name: 'MODE', value: 'dev' }], restartCommand: ['kill', '1'] }, ctx, { agentImage: 'localhost/slice/agent:1' });
  assert.ok(r.ok);
  const d = r.deployment as unknown as { metadata: { namespace: string; labels: Record<string, string>; resourceVersion?: string }; spec: { replicas: number; template: { metadata: { labels: Record<string, string> }; spec: Record<string, unknown> & { containers: Record<string, unknown>[]; initContainers: Record<string, unknown>[]; volumes: unknown[] } } } };
  assert.equal(d.metadata.namespace, 'slice-alice-feature');
  assert.equal(d.metadata.resourceVersion, undefined);
  assert.equal(d.spec.replicas, 1);
  assert.equal(d.spec.template.metadata.labels['pod-template-hash'], undefined);
  assert.equal(d.spec.template.metadata.labels['slice.dev/fork'], 'web');
  const pod = d.spec.template.spec;
  assert.equal(pod.serviceAccountName, undefined);
  assert.equal(pod.automountServiceAccountToken, false);
  assert.deepEqual(pod.volumes, [{ name: 'slice-src', emptyDir: {} }, { name: 'slice-agent-state', emptyDir: {} }]);
  assert.equal(pod.terminationGracePeriodSeconds, 2, "the platform's short grace period, not the baseline's");
  const chosen = renderFork(baseline, undefined, { workload: 'web' }, ctx, { agentImage: 'a', gracePeriodSeconds: 5 });
  assert.ok(chosen.ok);
  assert.match(JSON.stringify(chosen.deployment), /"terminationGracePeriodSeconds":5/);
  const [app, agent] = pod.containers;
  // the slice's env override, then the development export delays (test/unit/core/slice/forkTelemetry.test.ts)
  assert.deepEqual((app?.env as { name: string }[] | undefined)?.filter((e) => !e.name.startsWith('OTEL_')), [{ name: 'MODE', value: 'dev' }]);
  assert.deepEqual(app?.volumeMounts, [{ name: 'slice-src', mountPath: '/app' }]);
  assert.equal(agent?.name, AGENT_CONTAINER);
  assert.deepEqual(agent?.command, ['node', '/app/agent.js']);
  assert.deepEqual(agent?.securityContext, RESTRICTED_CONTAINER);
  assert.deepEqual(agent?.ports, [{ name: 'slice-agent', containerPort: 7777, protocol: 'TCP' }, { name: 'slice-routed', containerPort: 4319, protocol: 'TCP' }]);
  const env = agent?.env as { name: string; value?: string; valueFrom?: unknown }[];
  assert.deepEqual(env.find((e) => e.name === 'SLICE_AGENT_TOKEN')?.valueFrom, { secretKeyRef: { name: 'slice-agent-token', key: 'token' } });
  assert.equal(env.find((e) => e.name === 'SLICE_SYNC_ROOT')?.value, '/slice-src');
  assert.equal(env.find((e) => e.name === 'SLICE_AGENT_STATE_DIR')?.value, '/slice-state');
  assert.equal(env.find((e) => e.name === 'SLICE_ROUTED_OTLP_PORT')?.value, '4319');
  // the app exports to its own agent, even when the baseline points OTLP at the collector
  assert.equal((app?.env as { name: string; value?: string }[]).find((e) => e.name === 'OTEL_EXPORTER_OTLP_ENDPOINT')?.value, 'http://127.0.0.1:4318');
  assert.deepEqual(agent?.volumeMounts, [{ name: 'slice-src', mountPath: '/slice-src' }, { name: 'slice-agent-state', mountPath: '/slice-state' }]);
  assert.equal(env.find((e) => e.name === 'SLICE_AFTER_SYNC_CMD')?.value, '["kill","1"]');
  const seed = pod.initContainers[0];
  assert.equal(seed?.name, SEED_CONTAINER);
  assert.equal(seed?.image, 'localhost/slice/web:1');
  assert.deepEqual(seed?.command, ['cp', '-a', '/app/.', '/slice-src/']);
  assert.equal((seed?.securityContext as { runAsNonRoot?: boolean }).runAsNonRoot, true);
  const svc = r.service as unknown as { spec: { type: string; ports: unknown[] } };
  assert.equal(svc.spec.type, 'ClusterIP');
  assert.deepEqual(svc.spec.ports, [{ port: 80, targetPort: 8080, protocol: 'TCP' }]);
});

test('renderFork explains what is wrong instead of rendering', () => {
  assert.deepEqual(renderFork(baseline, undefined, { workload: 'web', container: 'api' }, ctx, { agentImage: 'a' }), { ok: false, message: 'baseline Deployment shop/web has no container "api" (it has web)' });
  assert.equal(renderFork(baseline, undefined, { workload: 'web', syncPath: '/' }, ctx, { agentImage: 'a' }).ok, false);
  const synced = renderFork(baseline, undefined, { workload: 'web', syncPath: '/srv/app/' }, ctx, { agentImage: 'a' });
  assert.ok(synced.ok && !synced.service);
  assert.match(JSON.stringify(synced.deployment), /"cp","-a","\/srv\/app\/.","\/slice-src\/"/);
});

test("a baseline that exports OTLP to the collector: the fork's app still exports to its own agent, unless the slice's env says otherwise", () => {
  const pointed: Deployment = { ...baseline, spec: { ...baseline.spec!, template: { ...baseline.spec!.template, spec: { ...baseline.spec!.template.spec!, containers: [{ name: 'web', image: 'web:1', env: [{ name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://slice-otelcol.slice-system.svc:4318' }] }] } } } };
  const endpoint = (env: { name: string; value: string }[] | undefined) => {
    const r = renderFork(pointed, undefined, { workload: 'web', ...(env ? { env } : {}) }, ctx, { agentImage: 'a' });
    assert.ok(r.ok);
    const d = r.deployment as unknown as { spec: { template: { spec: { containers: { name: string; env?: { name: string; value?: string }[] }[] } } } };
    const app = d.spec.template.spec.containers.find((c) => c.name === 'web');
    return app?.env?.filter((e) => e.name === 'OTEL_EXPORTER_OTLP_ENDPOINT').map((e) => e.value);
  };
  assert.deepEqual(endpoint(undefined), ['http://127.0.0.1:4318']);
  assert.deepEqual(endpoint([{ name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://127.0.0.1:9999' }]), ['http://127.0.0.1:9999']);
});
