import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dataRetryDelayMs, describePgError, withDataCondition } from '../../../../src/core/slice/dataStatus';
import { deriveConditions } from '../../../../src/core/slice/conditions';
import { parsePlatformConfig } from '../../../../src/core/slice/platformConfig';
import { renderDataNetworkPolicy } from '../../../../src/core/slice/manifests';

const now = '2026-11-26T12:00:00Z';

test('server errors in words: unreachable (retry), credentials, missing baseline database', () => {
  assert.equal(describePgError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 10.96.0.5:5432' }, 'postgres.slice-data.svc:5432'), 'PostgreSQL at postgres.slice-data.svc:5432 is unreachable: connect ECONNREFUSED 10.96.0.5:5432; the slice will retry');
  assert.match(describePgError({ code: 'ECONNREFUSED', message: '' }, 'h:1'), /unreachable: ECONNREFUSED; the slice will retry$/);
  assert.match(describePgError({ message: 'Connection terminated due to connection timeout' }, 'h:1'), /unreachable/);
  assert.match(describePgError({ code: '28P01', message: 'password authentication failed' }, 'h:1'), /refused the platform's credentials .*slice-system\/slice-postgres-admin/);
  assert.equal(describePgError({ code: '3D000', message: 'database "shop" does not exist' }, 'h:1', 'shop'), 'the baseline database "shop" does not exist on PostgreSQL at h:1');
});

test('retry backoff doubles from 2 s up to 30 s', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 50].map(dataRetryDelayMs), [2000, 4000, 8000, 16000, 30000, 30000, 30000]);
});

test('DataReady: a failing branch turns a ready slice back to Provisioning with the reason; a good one adds DataReady=True', () => {
  const ready = deriveConditions({ namespaceReady: true, policiesReady: true, forks: [] }, undefined, now);
  assert.equal(ready.phase, 'Ready');
  const down = withDataCondition(ready, [{ baseline: 'shop', database: 'slice_a_shop', ready: false, message: 'PostgreSQL at h:1 is unreachable: x; the slice will retry' }], undefined, now);
  assert.equal(down.phase, 'Provisioning');
  const byType = Object.fromEntries(down.conditions.map((c) => [c.type, c]));
  assert.equal(byType.DataReady?.status, 'False');
  assert.equal(byType.DataReady?.message, 'shop: PostgreSQL at h:1 is unreachable: x; the slice will retry');
  assert.equal(byType.Ready?.status, 'False');
  assert.equal(byType.Ready?.reason, 'DataNotReady');
  const up = withDataCondition(ready, [{ baseline: 'shop', database: 'slice_a_shop', ready: true }], undefined, now);
  assert.equal(up.phase, 'Ready');
  assert.equal(up.conditions.find((c) => c.type === 'DataReady')?.message, 'slice_a_shop (from shop) ready');
  assert.equal(up.conditions[up.conditions.length - 1]?.type, 'Ready');
  assert.deepEqual(withDataCondition(ready, [], undefined, now), ready, 'no data: unchanged');
});

test('platform config: the PostgreSQL egress comes as a CIDR and a port, together; bad values are named', () => {
  const limits = { maxRowCap: 100_000, maxBytesPerOwner: 2 * 1024 ** 3, resetMinIntervalMs: 30_000 };
  assert.deepEqual(parsePlatformConfig({ postgresEgressCIDR: '10.244.0.1/32', postgresEgressPort: '15432' }).postgres, { adminSecret: 'slice-postgres-admin', ...limits, egressCidr: '10.244.0.1/32', egressPort: 15432 });
  assert.deepEqual(parsePlatformConfig(undefined).postgres, { adminSecret: 'slice-postgres-admin', ...limits });
  assert.deepEqual(parsePlatformConfig({ postgresMaxRowCap: '500', postgresMaxBytesPerOwner: '300Mi', postgresResetMinInterval: '2m' }).postgres, { adminSecret: 'slice-postgres-admin', maxRowCap: 500, maxBytesPerOwner: 300 * 1024 ** 2, resetMinIntervalMs: 120_000 });
  assert.throws(() => parsePlatformConfig({ postgresMaxBytesPerOwner: 'lots' }), /postgresMaxBytesPerOwner="lots" is not a size/);
  assert.throws(() => parsePlatformConfig({ postgresEgressCIDR: 'db.example', postgresEgressPort: '5432' }), /postgresEgressCIDR="db.example" is not an IPv4 CIDR/);
  assert.throws(() => parsePlatformConfig({ postgresEgressCIDR: '10.0.0.1/32' }), /go together/);
  assert.throws(() => parsePlatformConfig({ postgresEgressCIDR: '10.0.0.1/32', postgresEgressPort: '99999' }), /is not a TCP port/);
});

test('the data NetworkPolicy allows egress to one address and port only', () => {
  const ctx = { objectName: 'alice-dev', shortName: 'dev', owner: 'alice', namespace: 'slice-alice-dev', baseline: 'shop', expiresAt: '', quota: { cpu: '1', memory: '1Gi', pods: 5 } };
  assert.deepEqual(renderDataNetworkPolicy(ctx, '10.244.0.1/32', 15432).spec, { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.244.0.1/32' } }], ports: [{ protocol: 'TCP', port: 15432 }] }] });
});
