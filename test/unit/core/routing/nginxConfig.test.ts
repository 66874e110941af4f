import { test } from 'node:test';
import assert from 'node:assert/strict';
import { originServiceName, renderNginxConfig, routerPorts } from '../../../../src/core/routing/nginxConfig';
import { computeRoutes } from '../../../../src/core/routing/routes';
import { hex, inputs, slice } from './routingFixtures';

const addresses = new Map([
  ['shop/slice-origin-orders', '10.96.0.10'],
  ['slice-alice-a/orders', '10.96.1.1'],
  ['slice-bob-b/orders', '10.96.2.2'],
]);

test('keyed requests map to their fork, everything else to the origin Service; fallback baseline adds the baseline as backup', () => {
  const table = computeRoutes(inputs([slice('alice-a', 'alice', [{ workload: 'orders' }]), slice('bob-b', 'bob', [{ workload: 'orders', routing: { fallback: 'baseline' } }])]));
  const conf = renderNginxConfig(table, addresses);
  assert.match(conf, /upstream s0p80_base \{ server 10\.96\.0\.10:80; keepalive 32; \}/);
  assert.match(conf, /upstream s0p80_r0 \{ server 10\.96\.1\.1:80 max_fails=0; keepalive 8; \}/);
  assert.match(conf, /upstream s0p80_r1 \{ server 10\.96\.2\.2:80 max_fails=0; server 10\.96\.0\.10:80 backup; keepalive 8; \}/);
  assert.ok(conf.includes(`"alice-a.${hex('1')}" s0p80_r0;`));
  assert.ok(conf.includes(`"bob-b.${hex('2')}" s0p80_r1;`));
  assert.match(conf, /default s0p80_base;/);
  const port = routerPorts(table).get('orders:80');
  assert.ok(port !== undefined && port >= 20000 && port < 30000);
  assert.ok(conf.includes(`listen ${port};`));
  assert.equal(originServiceName('orders'), 'slice-origin-orders');
  assert.ok(originServiceName('x'.repeat(63)).length <= 63);
});

test('a down fork answers 503 with a message that cannot inject nginx syntax or variables', () => {
  const s = slice('alice-a', 'alice', [{ workload: 'orders' }], {
    phase: 'Provisioning',
    conditions: ['NamespaceReady', 'PoliciesReady'].map((type) => ({ type: type as 'NamespaceReady', status: 'True' as const, reason: '', message: '', lastTransitionTime: '' })),
    forks: [{ workload: 'orders', ready: false, replicas: 1, availableReplicas: 0, service: 'orders', message: 'bad "quote" $host; }\n server {' }],
  });
  const conf = renderNginxConfig(computeRoutes(inputs([s])), addresses);
  assert.ok(conf.includes(`"alice-a.${hex('1')}" down_s0p80_r0;`));
  const line = conf.split('\n').find((l) => l.includes('not answering'))!;
  assert.ok(!line.includes('$host'));
  // nginx unescapes the literal back to JSON that says what happened
  const literal = /^\s*"[^"]+" "((?:[^"\\]|\\.)*)";$/.exec(line)![1]!.replace(/\\(.)/g, '$1');
  assert.match((JSON.parse(literal) as { error: string }).error, /fork of orders in slice alice-a is not answering \(bad "quote" host; \}\n server \{\)/);
  assert.ok(!conf.includes('\n server {'));
});

test('router ports are stable whatever else is routed and never collide', () => {
  const one = computeRoutes(inputs([slice('alice-a', 'alice', [{ workload: 'orders' }])]));
  const two = computeRoutes(inputs([slice('alice-a', 'alice', [{ workload: 'orders' }, { workload: 'inventory' }, { workload: 'storefront' }])]));
  assert.equal(routerPorts(one).get('orders:80'), routerPorts(two).get('orders:80'));
  const all = [...routerPorts(two).values()];
  assert.equal(new Set(all).size, all.length);
});
