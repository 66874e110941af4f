import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEntryAnnotation, renderEntry, renderEntryConfig } from '../../../../src/core/routing/entry';

const KEY = `alice-a.${'1'.repeat(32)}`;

test('the entry annotation names a Service and optionally a port; anything else is no entry', () => {
  assert.deepEqual(parseEntryAnnotation('storefront'), { service: 'storefront' });
  assert.deepEqual(parseEntryAnnotation(' storefront:8080 '), { service: 'storefront', port: 8080 });
  assert.equal(parseEntryAnnotation('Store front'), undefined);
  assert.equal(parseEntryAnnotation(undefined), undefined);
  assert.equal(parseEntryAnnotation('x;evil'), undefined);
});

test('the entry adds the key (header and baggage) to every request it forwards to the entry Service', () => {
  const conf = renderEntryConfig(KEY, { namespace: 'shop', service: 'storefront', clusterIP: '10.96.0.20', port: 80 });
  assert.match(conf, /upstream entry \{ server 10\.96\.0\.20:80; keepalive 8; \}/);
  assert.ok(conf.includes(`proxy_set_header x-slice-routing-key "${KEY}";`));
  assert.ok(conf.includes(`proxy_set_header baggage "slice-routing-key=${KEY}";`));
  const [cm, dep] = renderEntry('slice-alice-a', KEY, { namespace: 'shop', service: 'storefront', clusterIP: '10.96.0.20', port: 80 }, 'img');
  assert.equal(cm!.metadata.namespace, 'slice-alice-a');
  assert.equal(dep!.kind, 'Deployment');
  assert.equal((dep as unknown as { spec: { template: { spec: { automountServiceAccountToken: boolean } } } }).spec.template.spec.automountServiceAccountToken, false);
});
