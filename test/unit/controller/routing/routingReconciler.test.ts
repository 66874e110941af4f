import { test } from 'node:test';
import assert from 'node:assert/strict';
import { derivedSecret, routingSettings } from '../../../../src/controller/routing/routingReconciler';
import { parseRoutingKey, routingKey } from '../../../../src/core/routing/routingKey';

test('routingMode defaults to the router; unknown words fall back to it', () => {
  assert.deepEqual(routingSettings(undefined), { mode: 'router', routerImage: 'localhost/slice/router:latest' });
  assert.equal(routingSettings({ routingMode: 'gateway-api' }).mode, 'gateway-api');
  assert.equal(routingSettings({ routingMode: ' istio ' }).mode, 'istio');
  assert.equal(routingSettings({ routingMode: 'off' }).mode, 'off');
  assert.equal(routingSettings({ routingMode: 'envoy' }).mode, 'router');
  assert.equal(routingSettings({ routerImage: 'r/x:1' }).routerImage, 'r/x:1');
});

test('a slice key is derived from its uid under the platform secret: stable, per uid, per secret, well-formed', () => {
  const a = derivedSecret('master-1', 'uid-a');
  assert.match(a, /^[0-9a-f]{32}$/);
  assert.equal(derivedSecret('master-1', 'uid-a'), a);
  assert.notEqual(derivedSecret('master-1', 'uid-b'), a); // a re-created slice of the same name gets a new key
  assert.notEqual(derivedSecret('master-2', 'uid-a'), a);
  assert.ok(parseRoutingKey(routingKey('alice-checkout', a)));
});
