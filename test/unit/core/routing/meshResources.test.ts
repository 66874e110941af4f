import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baggageRegex, renderHttpRoutes, renderReferenceGrants, renderVirtualServices } from '../../../../src/core/routing/meshResources';
import { computeRoutes } from '../../../../src/core/routing/routes';
import { hex, inputs, slice } from './routingFixtures';

const table = computeRoutes(inputs([slice('alice-a', 'alice', [{ workload: 'orders' }]), slice('bob-b', 'bob', [{ workload: 'orders' }])]));

test('one HTTPRoute per slice and Service, attached to the baseline Service, matching the header or the baggage member', () => {
  const routes = renderHttpRoutes(table) as unknown as { metadata: { name: string; namespace: string }; spec: { parentRefs: { kind: string; name: string }[]; rules: { matches: { headers: { name: string; value: string }[] }[]; backendRefs: { namespace: string; name: string }[] }[] } }[];
  assert.equal(routes.length, 2);
  assert.equal(new Set(routes.map((r) => r.metadata.name)).size, 2);
  assert.deepEqual(routes[0]!.spec.parentRefs[0]!, { group: '', kind: 'Service', name: 'orders', port: 80 });
  assert.equal(routes[0]!.metadata.namespace, 'shop');
  assert.deepEqual(routes[0]!.spec.rules[0]!.backendRefs[0]!, { group: '', kind: 'Service', name: 'orders', namespace: 'slice-alice-a', port: 80 });
  assert.equal(routes[0]!.spec.rules[0]!.matches[0]!.headers[0]!.value, `alice-a.${hex('1')}`);
  const grants = renderReferenceGrants(table);
  assert.deepEqual(grants.map((g) => g.metadata.namespace), ['slice-alice-a', 'slice-bob-b']);
});

test('the baggage regex matches the key among other members and nothing longer or shorter', () => {
  const key = `alice-a.${hex('1')}`;
  const re = new RegExp(baggageRegex(key));
  assert.ok(re.test(`slice-routing-key=${key}`));
  assert.ok(re.test(`a=1, slice-routing-key = ${key};p=2, b=3`));
  assert.ok(!re.test(`slice-routing-key=${key}0`));
  assert.ok(!re.test(`xslice-routing-key=${key}`));
  assert.ok(!re.test(`slice-routing-key=alice-a.${hex('2')}`));
});

test('one VirtualService per Service: the slices first, then the baseline', () => {
  const vs = (renderVirtualServices(table) as unknown as { spec: { hosts: string[]; http: { name: string; route: { destination: { host: string } }[] }[] } }[])[0]!;
  assert.deepEqual(vs.spec.hosts, ['orders.shop.svc.cluster.local']);
  assert.deepEqual(vs.spec.http.map((h) => [h.name, h.route[0]!.destination.host]), [
    ['alice-a', 'orders.slice-alice-a.svc.cluster.local'],
    ['bob-b', 'orders.slice-bob-b.svc.cluster.local'],
    ['baseline', 'orders.shop.svc.cluster.local'],
  ]);
});
