import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type EventFacts, type PodFacts, choosePod, quotaRefusal } from '../../../../src/core/cluster/podWait';
import { type ConnectedInfo, type DisconnectedInfo } from '../../../../src/app/sync/syncEngine';
import { WsTransport } from '../../../../src/platform/agent-link/wsTransport';
import { FaultTransport } from './faultTransport';
import { Rig, TOKEN, write } from './syncHarness';

test('every reconnect says why the connection ended: network dropped, agent restarted, pod replaced', { timeout: 30_000 }, async () => {
  const rig = new Rig();
  try {
    write(rig.local, 'a.ts', 'a');
    await rig.startAgent();
    const transport = new FaultTransport(new WsTransport({ url: `ws://127.0.0.1:${rig.port}/v1/connect`, token: TOKEN }));
    const engine = rig.track(rig.engine({ transport }));
    const connected: ConnectedInfo[] = [];
    const disconnected: DisconnectedInfo[] = [];
    engine.onConnected((c) => connected.push(c));
    engine.onDisconnected((d) => disconnected.push(d));
    const next = () => new Promise<ConnectedInfo>((resolve) => engine.onConnected(resolve));
    engine.start();
    await engine.flush();
    let again = next();
    transport.cut();
    assert.equal((await again).cause, 'networkDropped');
    again = next();
    const refused = new Promise<DisconnectedInfo>((resolve) => {
      const sub = engine.onDisconnected((d) => {
        if (d.wasConnected) return;
        sub.dispose();
        resolve(d);
      });
    });
    await rig.stopAgent();
    assert.match((await refused).reason, /cannot reach the agent at ws:\/\/127\.0\.0\.1:\d+\/v1\/connect: .*ECONNREFUSED/, 'a failed connect says why');
    await rig.startAgent();
    assert.equal((await again).cause, 'agentRestarted');
    again = next();
    await rig.stopAgent();
    rig.wipeContainer();
    await rig.startAgent();
    const replaced = await again;
    assert.equal(replaced.cause, 'podReplaced');
    await engine.flush();
    assert.deepEqual(connected.map((c) => c.cause), ['first', 'networkDropped', 'agentRestarted', 'podReplaced']);
    assert.match(connected[1]?.description ?? '', /^reconnected after \d+\.\d s: the network dropped \(closed by the client\) — the same agent was running all along/);
    assert.match(connected[2]?.description ?? '', /the agent restarted \(closed \(1001 the agent is stopping\)\) — a new agent process, same sync folder; reconciling by its record/);
    assert.match(replaced.description, /the pod was replaced .*a fresh copy of the image; sending the local tree again/);
    assert.ok(disconnected.some((d) => d.wasConnected && /closed/.test(d.reason)), 'the drop itself is reported with the socket reason');
    assert.ok(disconnected.every((d) => (d.retryInMs ?? 0) > 0), 'and when the next try comes');
    assert.deepEqual(rig.remoteState(), rig.localState());
  } finally {
    await rig.dispose();
  }
});

const pod = (name: string, over: Partial<PodFacts> = {}): PodFacts => ({ name, created: 1, deleting: false, phase: 'Running', ready: true, waiting: undefined, ...over });
const NOW = 1_000_000;
const ev = (kind: string, object: string, reason: string, message: string, ago = 1000): EventFacts => ({ kind, object, reason, message, lastMs: NOW - ago });
const QUOTA = 'Error creating: pods "web-5d9c7f-x2" is forbidden: exceeded quota: slice-quota, requested: limits.cpu=1500m,limits.memory=384Mi, used: limits.cpu=1500m,limits.memory=384Mi, limited: limits.cpu=2,limits.memory=2Gi';

test('no pod to reach yet: the reason in words, with the quota numbers, instead of "no pod"', () => {
  assert.deepEqual(choosePod([pod('web-old', { deleting: true }), pod('web-new', { created: 2 })], 'web'), { ok: true, pod: 'web-new' });
  assert.deepEqual(choosePod([pod('web-a', { ready: false }), pod('web-b', { created: 0 })], 'web'), { ok: true, pod: 'web-b' });
  assert.deepEqual(quotaRefusal(QUOTA), { quota: 'slice-quota', requested: 'limits.cpu=1500m,limits.memory=384Mi', used: 'limits.cpu=1500m,limits.memory=384Mi', limited: 'limits.cpu=2,limits.memory=2Gi' });

  const terminating = pod('web-old', { deleting: true, gracePeriodSeconds: 2, deletionMs: NOW + 1500 });
  const refused = choosePod([terminating], 'web', [ev('ReplicaSet', 'web-5d9c7f', 'FailedCreate', QUOTA), ev('ReplicaSet', 'web-5d9c7f', 'FailedCreate', 'old', 120_000)], NOW);
  assert.deepEqual(refused, {
    ok: false,
    comingBack: true,
    message: "Kubernetes refused to create the fork web's new pod: the slice quota slice-quota is full (it asks limits.cpu=1500m,limits.memory=384Mi; used limits.cpu=1500m,limits.memory=384Mi of limits.cpu=2,limits.memory=2Gi); waiting: the old pod web-old is still terminating (grace period 2 s), which frees its share",
  });
  assert.deepEqual(choosePod([terminating], 'web', [], NOW), { ok: false, comingBack: true, message: 'the fork web is between pods: the old pod web-old is still terminating (grace period 2 s); its replacement starts once it is gone' });
  const pulling = choosePod([pod('web-new', { phase: 'Pending', ready: false, waiting: 'ContainerCreating' })], 'web', [ev('Pod', 'web-new', 'Pulling', 'Pulling image "localhost/shop/web:2"')], NOW);
  assert.equal(pulling.ok ? '' : pulling.message, 'the fork web\'s pod web-new is pulling its image (Pulling image "localhost/shop/web:2")');
  const backoff = choosePod([pod('web-new', { phase: 'Pending', ready: false, waiting: 'ImagePullBackOff: Back-off pulling image "nope"' })], 'web', [], NOW);
  assert.match(backoff.ok ? '' : backoff.message, /cannot pull its image: ImagePullBackOff/);
  const starting = choosePod([pod('web-new', { ready: false })], 'web', [], NOW);
  assert.equal(starting.ok ? '' : starting.message, "the fork web's pod web-new is running, its agent not ready yet");
  const unscheduled = choosePod([pod('web-new', { phase: 'Pending', ready: false })], 'web', [ev('Pod', 'web-new', 'FailedScheduling', '0/1 nodes are available: 1 Insufficient cpu.')], NOW);
  assert.match(unscheduled.ok ? '' : unscheduled.message, /cannot be scheduled yet: 0\/1 nodes are available/);
  const over = choosePod([pod('web-old', { deleting: true, gracePeriodSeconds: 2, deletionMs: NOW - 300 })], 'web', [], NOW);
  assert.match(over.ok ? '' : over.message, /the old pod web-old is still terminating \(grace period 2 s over: being removed\)/);
  const running = [pod('web-new', { ready: false, agentRunning: true })];
  assert.equal(choosePod(running, 'web').ok, false, 'not ready: waited for');
  assert.deepEqual(choosePod(running, 'web', [], NOW, true), { ok: true, pod: 'web-new' }, 'eager, after a pod change: its running agent is tried before the readiness probe passes');
  const none = choosePod([], 'nope', [ev('ReplicaSet', 'web-5d9c7f', 'FailedCreate', QUOTA)], NOW);
  assert.deepEqual(none, { ok: false, comingBack: false, message: 'the fork nope has no pod (is the slice still provisioning, or was the fork removed?)' });
});
