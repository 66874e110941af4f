import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveConditions, deriveForkStatus, explainCreateFailure, replaceCondition, setCondition } from '../../../../src/core/slice/conditions';

// Messages as the API server / kubelet write them (copied from real clusters, names changed).
const PSA = 'Error creating: pods "web-7d9c-x2x" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "web" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "web" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "web" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "web" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")';
const QUOTA = 'Error creating: pods "web-556658767b-7twlf" is forbidden: exceeded quota: slice-quota, requested: limits.cpu=2200m,limits.memory=2176Mi, used: limits.cpu=0,limits.memory=0, limited: limits.cpu=2,limits.memory=2Gi';

test('a Pod Security violation names each container and field', () => {
  const m = explainCreateFailure(PSA);
  assert.ok(m.startsWith('Pod Security "restricted" rejects the pod: container "web" must set securityContext.allowPrivilegeEscalation=false; '), m);
  assert.match(m, /container "web" must set securityContext.capabilities.drop=\["ALL"\]/);
  assert.match(m, /pod or container "web" must set securityContext.runAsNonRoot=true/);
  assert.match(m, /seccompProfile.type to "RuntimeDefault" or "Localhost"$/);
});

test('quota exceeded says what the pod asks for, what is used and the limit', () => {
  assert.equal(
    explainCreateFailure(QUOTA),
    'quota exceeded: the pod asks for limits.cpu=2200m,limits.memory=2176Mi while limits.cpu=0,limits.memory=0 is already used and the slice quota (slice-quota) allows limits.cpu=2,limits.memory=2Gi — free resources in the slice or ask for a larger spec.resources',
  );
  assert.equal(explainCreateFailure('Error creating: something odd'), 'pods cannot be created: something odd');
});

const deployment = (available: number) => ({ metadata: { name: 'web', generation: 2 }, spec: { replicas: 1, selector: {}, template: {} }, status: { observedGeneration: 2, availableReplicas: available, updatedReplicas: available } });

test('fork status: ready, FailedCreate events, ReplicaFailure conditions, image and crash problems', () => {
  assert.deepEqual(deriveForkStatus({ workload: 'web', deployment: deployment(1), service: 'web', ports: [80] }), { workload: 'web', ready: true, replicas: 1, availableReplicas: 1, service: 'web', ports: [80] });
  const ev = deriveForkStatus({ workload: 'web', deployment: deployment(0), pods: [], events: [{ reason: 'FailedCreate', message: QUOTA, involvedObject: { kind: 'ReplicaSet', name: 'web-1' } }] });
  assert.match(ev.message ?? '', /^quota exceeded/);
  const rs = deriveForkStatus({ workload: 'web', deployment: deployment(0), replicaSets: [{ status: { conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: PSA.replace('Error creating: ', '') }] } }] });
  assert.match(rs.message ?? '', /^Pod Security "restricted" rejects the pod: container "web"/);
  const img = deriveForkStatus({
    workload: 'web',
    deployment: deployment(0),
    pods: [{ status: { phase: 'Pending', containerStatuses: [{ name: 'web', image: 'localhost/slice/nope:1', state: { waiting: { reason: 'ErrImageNeverPull', message: 'Container image "localhost/slice/nope:1" is not present with pull policy of Never' } } }] } }],
  });
  assert.equal(img.message, 'image missing: "localhost/slice/nope:1" of container "web" is not on the node and cannot be pulled (ErrImageNeverPull) — build and import it into the cluster');
  for (const reason of ['ErrImagePull', 'ImagePullBackOff']) {
    const s = deriveForkStatus({ workload: 'web', deployment: deployment(0), pods: [{ status: { initContainerStatuses: [{ name: 'slice-seed', image: 'x', state: { waiting: { reason } } }] } }] });
    assert.match(s.message ?? '', new RegExp(`^image missing: "x" of container "slice-seed".*\\(${reason}\\)`));
  }
  const crash = deriveForkStatus({ workload: 'web', deployment: deployment(0), pods: [{ status: { containerStatuses: [{ name: 'web', restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } }] } }] });
  assert.match(crash.message ?? '', /container "web" keeps crashing \(CrashLoopBackOff, 4 restarts\)/);
  assert.equal(deriveForkStatus({ workload: 'api', renderError: 'baseline b has no Deployment api' }).message, 'baseline b has no Deployment api');
  assert.equal(deriveForkStatus({ workload: 'web', deployment: deployment(0) }).message, 'waiting for 1 of 1 replica to become available');
});

test('conditions: Ready only when namespace, policies and forks are; transition times kept', () => {
  const t0 = '2026-01-01T10:00:00Z';
  const t1 = '2026-01-01T10:05:00Z';
  const pending = deriveConditions({ namespaceReady: true, policiesReady: true, forks: [{ workload: 'web', ready: false, replicas: 1, availableReplicas: 0, message: 'waiting for 1 of 1 replica to become available' }] }, undefined, t0, 1);
  assert.equal(pending.phase, 'Provisioning');
  assert.equal(pending.conditions.find((c) => c.type === 'Ready')?.status, 'False');
  assert.equal(pending.conditions.find((c) => c.type === 'ForksReady')?.reason, 'ForksProgressing');
  const ready = deriveConditions({ namespaceReady: true, policiesReady: true, forks: [{ workload: 'web', ready: true, replicas: 1, availableReplicas: 1 }] }, pending.conditions, t1, 1);
  assert.equal(ready.phase, 'Ready');
  assert.equal(ready.conditions.find((c) => c.type === 'NamespaceReady')?.lastTransitionTime, t0);
  assert.equal(ready.conditions.find((c) => c.type === 'Ready')?.lastTransitionTime, t1);
  const failed = deriveConditions({ namespaceReady: true, policiesReady: true, forks: [{ workload: 'web', ready: false, replicas: 1, availableReplicas: 0, message: 'quota exceeded: x' }] }, undefined, t0);
  assert.equal(failed.phase, 'Failed');
  assert.equal(failed.conditions.find((c) => c.type === 'Ready')?.message, 'web: quota exceeded: x');
  const refused = deriveConditions({ refused: { reason: 'SliceLimitExceeded', message: 'alice already has 3 slices (the limit is 3): delete one first' }, forks: [] }, undefined, t0);
  assert.equal(refused.phase, 'Failed');
  assert.deepEqual(refused.conditions.map((c) => [c.type, c.reason]), [['NamespaceReady', 'SliceLimitExceeded'], ['Ready', 'SliceLimitExceeded']]);
  assert.equal(setCondition(undefined, 'Ready', 'True', 'Ready', 'ok', t0, 3).observedGeneration, 3);
});

test('replaceCondition swaps the one condition of its type, keeps the others and its transition time while the status holds', () => {
  const t0 = '2026-01-01T00:00:00Z';
  const t1 = '2026-01-01T00:05:00Z';
  const ready = setCondition(undefined, 'Ready', 'True', 'Ready', 'ok', t0);
  const first = replaceCondition([ready], 'DataReady', 'False', 'DropPending', 'server down', t0);
  assert.deepEqual(first.map((c) => [c.type, c.status, c.reason]), [['Ready', 'True', 'Ready'], ['DataReady', 'False', 'DropPending']]);
  const again = replaceCondition(first, 'DataReady', 'False', 'DropPending', 'server still down', t1);
  assert.equal(again.length, 2);
  assert.deepEqual(again[1], { type: 'DataReady', status: 'False', reason: 'DropPending', message: 'server still down', lastTransitionTime: t0 });
  assert.equal(replaceCondition(undefined, 'Expired', 'True', 'TTLExpired', 'expired', t1)[0]?.lastTransitionTime, t1);
});
