import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  type PodUsage, appFigures, containerFigures, figuresText, formatCpu, formatMiB, parsePodMetricsList, quotaFigure, resourceFindings,
} from '../../../../src/core/cluster/podResources';
import { type PodInfo } from '../../../../src/core/cluster/workloadSummary';

const MiB = 1024 * 1024;

/** test/unit/core/cluster/fixtures/pod-metrics.json: a PodMetricsList as the local cluster's metrics-server returned it. */
function podMetricsFixture(): unknown {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const f = join(dir, 'test', 'unit', 'core', 'cluster', 'fixtures', 'pod-metrics.json');
    if (existsSync(f)) return JSON.parse(readFileSync(f, 'utf8'));
    if (dirname(dir) === dir) throw new Error('pod-metrics.json not found');
  }
}

function pod(over: Partial<PodInfo> = {}): PodInfo {
  return {
    name: 'orders-7d9c-abcde', phase: 'Running', ready: true, restarts: 0, labels: {}, containers: ['app', 'slice-agent'], reason: undefined, startedAt: undefined,
    limits: [{ container: 'app', cpuMillis: 500, memoryBytes: 256 * MiB }, { container: 'slice-agent', cpuMillis: 200, memoryBytes: 128 * MiB }],
    lastTerminations: [],
    ...over,
  };
}

function usage(app: { cpu: number; mem: number }, agent = { cpu: 2, mem: 20 * MiB }): PodUsage {
  return { pod: 'orders-7d9c-abcde', timestamp: undefined, windowSeconds: 15, containers: [{ container: 'app', cpuMillis: app.cpu, memoryBytes: app.mem }, { container: 'slice-agent', cpuMillis: agent.cpu, memoryBytes: agent.mem }] };
}

test('parsePodMetricsList: the metrics API answer (CPU in nanocores, memory in KiB) as millicores and bytes', () => {
  const pods = parsePodMetricsList(podMetricsFixture());
  assert.ok(pods.length > 0);
  for (const p of pods) {
    assert.ok(p.containers.length > 0, `${p.pod} has containers`);
    for (const c of p.containers) {
      assert.ok(Number.isFinite(c.cpuMillis) && c.cpuMillis >= 0, `${p.pod}/${c.container} cpu ${c.cpuMillis}`);
      assert.ok(Number.isFinite(c.memoryBytes) && c.memoryBytes > 0, `${p.pod}/${c.container} memory ${c.memoryBytes}`);
    }
    assert.ok(p.timestamp instanceof Date && !Number.isNaN(p.timestamp.getTime()));
    assert.ok(p.windowSeconds !== undefined && p.windowSeconds > 0);
  }
});

test('parsePodMetricsList: exact units (n, u, m, Ki, Mi), Go durations, and malformed items skipped', () => {
  const pods = parsePodMetricsList({
    items: [
      { metadata: { name: 'a' }, timestamp: '2026-12-07T13:00:00Z', window: '1m0s', containers: [{ name: 'app', usage: { cpu: '12345678n', memory: '49152Ki' } }, { name: 'b', usage: { cpu: '250u', memory: '3Mi' } }, { name: 'c', usage: { cpu: '5m', memory: '1' } }] },
      { metadata: { name: 'no-containers' } },
      { metadata: {}, containers: [] },
      { metadata: { name: 'bad' }, containers: [{ name: 'x', usage: { cpu: 'lots', memory: '1Ki' } }] },
    ],
  });
  assert.equal(pods.length, 2);
  const a = pods[0]!;
  assert.equal(a.windowSeconds, 60);
  assert.ok(Math.abs(a.containers[0]!.cpuMillis - 12.345678) < 1e-9);
  assert.equal(a.containers[0]!.memoryBytes, 48 * MiB);
  assert.ok(Math.abs(a.containers[1]!.cpuMillis - 0.25) < 1e-12);
  assert.equal(a.containers[1]!.memoryBytes, 3 * MiB);
  assert.ok(Math.abs(a.containers[2]!.cpuMillis - 5) < 1e-12);
  assert.deepEqual(pods[1]!.containers, []);
  assert.deepEqual(parsePodMetricsList({ kind: 'Status' }), []);
  assert.deepEqual(parsePodMetricsList(null), []);
});

test('figuresText: the app container against its limits, as the pod row reads', () => {
  const f = appFigures(pod(), usage({ cpu: 12.3, mem: 48 * MiB }))!;
  assert.equal(f.container, 'app');
  assert.equal(figuresText(f), 'cpu 12m/500m · mem 48/256 Mi');
  assert.equal(figuresText(appFigures(pod({ limits: [] }), usage({ cpu: 3, mem: 4.26 * MiB }))!), 'cpu 3m/no limit · mem 4.3 Mi/no limit');
  assert.equal(figuresText(appFigures(pod(), undefined)!), 'cpu –/500m · mem –/256 Mi');
  assert.deepEqual(containerFigures(pod(), usage({ cpu: 1, mem: MiB })).map((c) => c.container), ['app', 'slice-agent']);
  // a limit of whole cores against a usage in millicores: one unit on both sides
  assert.equal(figuresText({ container: 'slice-agent', cpu: { used: 17, limit: 1000 }, memory: { used: 8.5 * MiB, limit: 256 * MiB } }), 'cpu 17m/1000m · mem 8.5/256 Mi');
  assert.equal(figuresText({ container: 'app', cpu: { used: 1500, limit: 2000 }, memory: { used: undefined, limit: undefined } }), 'cpu 1.5/2 · mem – Mi/no limit');
});

test('formatCpu and formatMiB: millicores under a core, cores from there; MiB with one decimal under 10', () => {
  assert.equal(formatCpu(0.4), '0m');
  assert.equal(formatCpu(999.4), '999m');
  assert.equal(formatCpu(1000), '1');
  assert.equal(formatCpu(1500), '1.5');
  assert.equal(formatCpu(2250), '2.25');
  assert.equal(formatMiB(9.94 * MiB), '9.9');
  assert.equal(formatMiB(255.6 * MiB), '256');
});

test('resourceFindings: an OOMKilled container is explained with its limit and when it happened', () => {
  const p = pod({ restarts: 1, lastTerminations: [{ container: 'app', reason: 'OOMKilled', exitCode: 137, finishedAt: new Date('2026-12-07T13:04:05Z') }] });
  const [f, ...rest] = resourceFindings(p, undefined);
  assert.equal(rest.length, 0);
  assert.equal(f!.kind, 'oomKilled');
  assert.equal(f!.severity, 'error');
  assert.equal(f!.short, 'app OOMKilled');
  assert.match(f!.text, /^Container app was OOMKilled at 13:04:05 UTC: it used more memory than its limit of 256 Mi, so the kernel killed it \(exit code 137\)/);
  // an earlier crash that was not the memory limit is not called one
  assert.deepEqual(resourceFindings(pod({ lastTerminations: [{ container: 'app', reason: 'Error', exitCode: 1, finishedAt: undefined }] }), undefined), []);
});

test('resourceFindings: memory within 90 % of its limit and CPU at its limit (throttling, which metrics.k8s.io does not report itself)', () => {
  const near = resourceFindings(pod(), usage({ cpu: 460, mem: 240 * MiB }));
  assert.deepEqual(near.map((f) => `${f.kind}:${f.container}`), ['memoryNearLimit:app', 'cpuAtLimit:app']);
  assert.match(near[0]!.text, /uses 240 Mi of its 256 Mi memory limit \(94 %\)/);
  assert.match(near[1]!.text, /uses 460m of its 500m CPU limit \(92 %\): at its limit the kernel throttles it/);
  assert.match(near[1]!.text, /not the throttled time itself/);
  assert.deepEqual(resourceFindings(pod(), usage({ cpu: 449, mem: 230 * MiB })), []);
  assert.deepEqual(resourceFindings(pod({ limits: [] }), usage({ cpu: 5000, mem: 4096 * MiB })), []);
});

test('quotaFigure: the Quota row in the pod rows\' units, whatever units the API server wrote', () => {
  assert.equal(quotaFigure('limits.cpu', '1200m', '2'), 'cpu 1.2/2');
  assert.equal(quotaFigure('limits.memory', '320Mi', '1Gi'), 'memory 320/1024 Mi');
  assert.equal(quotaFigure('requests.memory', '335544320', '1Gi'), 'memory 320/1024 Mi');
  assert.equal(quotaFigure('pods', '3', '6'), 'pods 3/6');
  assert.equal(quotaFigure('count/services', '2', '10'), 'services 2/10');
  assert.equal(quotaFigure('limits.cpu', 'odd', '2'), 'cpu odd/2');
  assert.equal(quotaFigure('limits.cpu', '800m', '2'), 'cpu 800m/2000m');
});
