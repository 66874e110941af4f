import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { BAGGAGE_MEMBER, ROUTING_HEADER, SPAN_ATTRIBUTE_SLICE, baggageValue, keyFromHeaders, maskRoutingKey, parseRoutingKey, routingHeaders, routingKey, routingKeySlice, withKeyInBaggage } from '../../../../src/core/routing/routingKey';

const SECRET = '3f9a0c51d2e4b7a8c6d0e1f2a3b4c5d6';
const KEY = `alice-checkout.${SECRET}`;

test('a key is the slice object name and 32 hex digits; anything else is refused', () => {
  assert.equal(routingKey('alice-checkout', SECRET.toUpperCase()), KEY);
  assert.throws(() => routingKey('alice-checkout', 'abc'));
  assert.throws(() => routingKey('Alice', SECRET));
  assert.deepEqual(parseRoutingKey(KEY), { slice: 'alice-checkout', secret: SECRET });
  assert.equal(parseRoutingKey('alice-checkout'), undefined);
  assert.equal(parseRoutingKey(`alice-checkout.${SECRET}0`), undefined);
  assert.equal(parseRoutingKey(`../etc.${SECRET}`), undefined);
  assert.equal(routingKeySlice(KEY), 'alice-checkout');
  assert.equal(maskRoutingKey(KEY), 'alice-checkout.3f9a…');
  assert.ok(!maskRoutingKey(KEY).includes(SECRET));
});

test('the key is read from the plain header first, else from any baggage header member', () => {
  assert.equal(keyFromHeaders({ [ROUTING_HEADER]: KEY, baggage: `${BAGGAGE_MEMBER}=bob-x.${'0'.repeat(32)}` }), KEY);
  assert.equal(keyFromHeaders({ baggage: `userId=7;p=1, ${BAGGAGE_MEMBER}=${KEY};prop=x` }), KEY);
  assert.equal(keyFromHeaders({ baggage: ['a=b', `${BAGGAGE_MEMBER}=${encodeURIComponent(KEY)}`] }), KEY);
  assert.equal(keyFromHeaders({ baggage: `${BAGGAGE_MEMBER}=not-a-key` }), undefined);
  assert.equal(keyFromHeaders({ baggage: 'other=1' }), undefined);
  assert.equal(keyFromHeaders({}), undefined);
  assert.equal(baggageValue('x=%E0%A4%A', 'x'), undefined);
});

test('adding the key to baggage keeps the other members and replaces an older key', () => {
  assert.equal(withKeyInBaggage(KEY, `a=1, ${BAGGAGE_MEMBER}=old;p, b=2`), `${BAGGAGE_MEMBER}=${KEY},a=1,b=2`);
  assert.deepEqual(routingHeaders(KEY), { [ROUTING_HEADER]: KEY, baggage: `${BAGGAGE_MEMBER}=${KEY}` });
});

test('the sample app uses the same names and key format (sample/shop/telemetry/routing.js)', () => {
  const sample = createRequire(join(process.cwd(), 'package.json'))('./sample/shop/telemetry/routing.js') as { BAGGAGE_MEMBER: string; ROUTING_HEADER: string; SPAN_ATTRIBUTE_SLICE: string; KEY: RegExp };
  assert.equal(sample.BAGGAGE_MEMBER, BAGGAGE_MEMBER);
  assert.equal(sample.ROUTING_HEADER, ROUTING_HEADER);
  assert.equal(sample.SPAN_ATTRIBUTE_SLICE, SPAN_ATTRIBUTE_SLICE);
  for (const k of [KEY, 'alice', `alice.${SECRET}0`, `Alice.${SECRET}`]) assert.equal(sample.KEY.test(k), parseRoutingKey(k) !== undefined, k);
});
