import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderFork } from '../../../../src/core/slice/fork';
import { DEV_EXPORT_DELAY_MS, DEV_METRIC_INTERVAL_MS, parseExportDelay, withTelemetryEnv } from '../../../../src/core/slice/forkTelemetry';
import { type Deployment } from '../../../../src/core/slice/k8sTypes';
import { type SliceContext } from '../../../../src/core/slice/manifests';

const dev = String(DEV_EXPORT_DELAY_MS);
const devMetrics = String(DEV_METRIC_INTERVAL_MS);
const envOf = (env: readonly { name: string; value?: string }[]) => Object.fromEntries(env.map((e) => [e.name, e.value]));

test('a fork without a word from the slice gets development export delays where its container sets none', () => {
  assert.deepEqual(envOf(withTelemetryEnv([{ name: 'PORT', value: '8080' }], undefined)), {
    PORT: '8080',
    OTEL_BSP_SCHEDULE_DELAY: dev,
    OTEL_BLRP_SCHEDULE_DELAY: dev,
    OTEL_METRIC_EXPORT_INTERVAL: devMetrics,
    OTEL_METRIC_EXPORT_TIMEOUT: devMetrics,
  });
});

test("the workload's own metric interval and shorter batch delays are kept, longer batch delays are shortened, unless the slice says otherwise", () => {
  const own = [
    { name: 'OTEL_BSP_SCHEDULE_DELAY', value: '1000' },
    { name: 'OTEL_METRIC_EXPORT_INTERVAL', value: '15000' },
  ];
  // the baseline's production choice (here 1 s) would be most of the save → CodeLens loop
  assert.deepEqual(envOf(withTelemetryEnv(own, undefined)), { OTEL_BSP_SCHEDULE_DELAY: dev, OTEL_METRIC_EXPORT_INTERVAL: '15000', OTEL_BLRP_SCHEDULE_DELAY: dev });
  assert.deepEqual(envOf(withTelemetryEnv([{ name: 'OTEL_BSP_SCHEDULE_DELAY', value: '20' }], undefined)).OTEL_BSP_SCHEDULE_DELAY, '20');
  // a value from elsewhere (a ConfigMap, a Secret) is unknown here: the development value replaces it
  const fromRef = withTelemetryEnv([{ name: 'OTEL_BLRP_SCHEDULE_DELAY', valueFrom: { secretKeyRef: { name: 'otel', key: 'delay' } } }], undefined);
  assert.deepEqual(fromRef.find((e) => e.name === 'OTEL_BLRP_SCHEDULE_DELAY'), { name: 'OTEL_BLRP_SCHEDULE_DELAY', value: dev });
  // slice.yaml's exportDelay replaces them, the metric timeout too (an SDK may refuse a timeout above the interval)
  assert.deepEqual(envOf(withTelemetryEnv([...own, { name: 'OTEL_METRIC_EXPORT_TIMEOUT', value: '30000' }], { exportDelayMs: 50 })), {
    OTEL_BSP_SCHEDULE_DELAY: '50',
    OTEL_METRIC_EXPORT_INTERVAL: '50',
    OTEL_METRIC_EXPORT_TIMEOUT: '50',
    OTEL_BLRP_SCHEDULE_DELAY: '50',
  });
});

test("a container's own metric timeout bounds the development interval from below", () => {
  const env = envOf(withTelemetryEnv([{ name: 'OTEL_METRIC_EXPORT_TIMEOUT', value: '5000' }], undefined));
  assert.equal(env.OTEL_METRIC_EXPORT_INTERVAL, '5000');
  assert.equal(env.OTEL_METRIC_EXPORT_TIMEOUT, '5000');
  assert.equal(env.OTEL_BSP_SCHEDULE_DELAY, dev);
});

test('an explicit delay is held to 10 ms .. 60 s', () => {
  assert.equal(envOf(withTelemetryEnv([], { exportDelayMs: 0 })).OTEL_BSP_SCHEDULE_DELAY, '10');
  assert.equal(envOf(withTelemetryEnv([], { exportDelayMs: 3_600_000 })).OTEL_BSP_SCHEDULE_DELAY, '60000');
});

test('export delays in slice.yaml: ms or s', () => {
  assert.equal(parseExportDelay('200ms'), 200);
  assert.equal(parseExportDelay('1.5s'), 1500);
  assert.equal(parseExportDelay('2 s'), undefined);
  assert.equal(parseExportDelay('5m'), undefined);
});

const ctx: SliceContext = { objectName: 'alice-dev', shortName: 'dev', owner: 'alice', namespace: 'slice-alice-dev', baseline: 'shop', expiresAt: '', quota: { cpu: '2', memory: '2Gi', pods: 10 } };
const baseline: Deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'orders', namespace: 'shop' },
  spec: {
    selector: { matchLabels: { app: 'orders' } },
    template: {
      metadata: { labels: { app: 'orders' } },
      spec: { containers: [{ name: 'app', image: 'shop:1', env: [{ name: 'OTEL_BSP_SCHEDULE_DELAY', value: '5000' }] }, { name: 'side', image: 'side:1' }] },
    },
  },
};

function appEnv(fork: Parameters<typeof renderFork>[2]) {
  const r = renderFork(baseline, undefined, fork, ctx, { agentImage: 'agent:1' });
  assert.ok(r.ok);
  const spec = (r.deployment.spec as { template: { spec: { containers: { name: string; env?: { name: string; value?: string }[] }[] } } }).template.spec;
  return { app: envOf(spec.containers.find((c) => c.name === 'app')?.env ?? []), side: spec.containers.find((c) => c.name === 'side')?.env, agent: envOf(spec.containers.find((c) => c.name === 'slice-agent')?.env ?? []) };
}

test("the controller's fork: the app container gets the delays, other containers and the agent do not; the slice's env wins over all", () => {
  const plain = appEnv({ workload: 'orders' });
  assert.equal(plain.app.OTEL_BSP_SCHEDULE_DELAY, dev, "the workload's 5 s (its production choice) is shortened in the fork");
  assert.equal(plain.app.OTEL_BLRP_SCHEDULE_DELAY, dev);
  assert.equal(plain.side, undefined);
  assert.equal(plain.agent.OTEL_BSP_SCHEDULE_DELAY, undefined);
  assert.equal(appEnv({ workload: 'orders', telemetry: { exportDelayMs: 100 } }).app.OTEL_BSP_SCHEDULE_DELAY, '100');
  assert.equal(appEnv({ workload: 'orders', telemetry: { exportDelayMs: 100 }, env: [{ name: 'OTEL_BSP_SCHEDULE_DELAY', value: '7' }] }).app.OTEL_BSP_SCHEDULE_DELAY, '7');
});
