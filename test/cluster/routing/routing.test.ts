// Requests routed through the baseline to the developers' forks (issue 22), on the real cluster with
// the sample shop: alice and bob each fork orders. A checkout at the baseline storefront with alice's
// key has its orders hop served by alice's fork (bob's by bob's); without a key, with a forged key,
// or with a key of a slice that forks nothing on the path, by the baseline. Answers without a key are
// the same with and without the routing layer. A fork that is down answers 503 saying so. Bob cannot
// read alice's key. After alice's slice is deleted her key goes to the baseline within seconds.
//
// Needs the platform (scripts/platform-install.sh) and the sample (scripts/sample-deploy.sh, run here).
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { ROUTING_HEADER, ROUTING_KEY_SECRET, ROUTING_KEY_SECRET_KEY, withKeyInBaggage } from '../../../src/core/routing/routingKey';
import { admin, alice, bob, cleanup, createSlice, sliceBody, waitForPhase } from '../slices/sliceFixture';
import { eventually, execIn, statusCode } from '../smoke/helpers';

const ROOT = join(__dirname, '..', '..', '..', '..');
const BASELINE = 'shop';
const id = randomBytes(3).toString('hex');
const aliceSlice = `alice-rt-${id}`;
const bobSlice = `bob-rt-${id}`;

/** Sends HTTP requests from inside a container and prints [{status, servedBy, routed, body}]. */
const REQUESTS = [
  'const reqs=JSON.parse(process.argv[1]);const out=[];',
  "const one=(r)=>new Promise((ok,fail)=>{const q=require('http').request(r.url,{method:r.method||'GET',headers:r.headers||{},timeout:20000},(res)=>{let b='';res.setEncoding('utf8');res.on('data',(c)=>b+=c);",
  "res.on('end',()=>ok({status:res.statusCode,servedBy:res.headers['x-served-by'],routed:res.headers['x-slice-routed'],body:b}))});q.on('timeout',()=>q.destroy(new Error('timeout')));q.on('error',fail);q.end()});",
  '(async()=>{for(const r of reqs)out.push(await one(r));process.stdout.write(JSON.stringify(out))})().catch((e)=>{console.error(e.message);process.exit(4)});',
].join('');

interface Answer {
  readonly status: number;
  readonly servedBy?: string;
  readonly routed?: string;
  readonly body: string;
}

let entryPod = '';

async function send(reqs: { url: string; headers?: Record<string, string> }[]): Promise<Answer[]> {
  const r = await execIn(admin, BASELINE, entryPod, 'app', ['node', '-e', REQUESTS, JSON.stringify(reqs)]);
  if (r.status !== 'Success') throw new Error(`requests failed: ${r.message} ${r.stderr}`);
  return JSON.parse(r.stdout) as Answer[];
}

const storefront = 'http://storefront.shop.svc.cluster.local';
const checkout = `${storefront}/checkout?sku=book`;

/** Which copy served the orders hop of a checkout with these headers. */
async function ordersHop(headers: Record<string, string> = {}): Promise<string | undefined> {
  const [a] = await send([{ url: checkout, headers }]);
  const body = JSON.parse(a!.body) as { servedBy?: { orders?: string } };
  return body.servedBy?.orders;
}

async function readKey(kc: k8s.KubeConfig, slice: string): Promise<string> {
  const s = await kc.makeApiClient(k8s.CoreV1Api).readNamespacedSecret({ name: ROUTING_KEY_SECRET, namespace: `slice-${slice}` });
  return Buffer.from(s.data![ROUTING_KEY_SECRET_KEY]!, 'base64').toString('utf8');
}

async function readyPod(ns: string, app: string): Promise<string> {
  const core = admin.makeApiClient(k8s.CoreV1Api);
  const pod = await eventually(`a ready ${app} pod in ${ns}`, async () => {
    const pods = await core.listNamespacedPod({ namespace: ns, labelSelector: `app=${app}` });
    return pods.items.find((p) => !p.metadata?.deletionTimestamp && p.status?.containerStatuses?.every((c) => c.ready));
  }, 60_000);
  return pod.metadata!.name!;
}

/** Idempotent requests whose answers must not change when the routing layer stands in front. */
const KEYLESS = [`${storefront}/`, 'http://inventory.shop.svc.cluster.local/catalog', 'http://orders.shop.svc.cluster.local/orders/does-not-exist', 'http://orders.shop.svc.cluster.local/nowhere?x=1'];

void describe('routing through the baseline to the forks', { timeout: 900_000 }, () => {
  let keyless: Answer[] = [];
  let aliceKey = '';
  let bobKey = '';

  before(async () => {
    execFileSync('bash', ['scripts/sample-deploy.sh'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], timeout: 600_000 });
    entryPod = await readyPod(BASELINE, 'storefront');
  });
  after(async () => {
    await cleanup([aliceSlice, bobSlice]);
  });

  void test('the baseline answers before any slice forks it (the reference for the keyless comparison)', async () => {
    const core = admin.makeApiClient(k8s.CoreV1Api);
    // An earlier run may have left orders with the router (a taken-over Service stays with it, with
    // no routes): then the reference is its origin Service, which selects orders' own pods as the
    // Service did before the router came.
    const taken = !!(await core.readNamespacedService({ name: 'orders', namespace: BASELINE })).metadata?.annotations?.['slice.dev/routing-original'];
    keyless = await send(KEYLESS.map((url) => ({ url: taken ? url.replace('//orders.shop.svc', '//slice-origin-orders.shop.svc') : url })));
    assert.equal(keyless[0]!.status, 200);
    assert.equal(keyless[0]!.servedBy, 'shop/storefront');
  });

  void test('alice and bob fork orders; each reads their own key, and bob cannot read alice\'s', async () => {
    await createSlice(alice, sliceBody('alice', `rt-${id}`, BASELINE, [{ workload: 'orders' }]));
    await createSlice(bob, sliceBody('bob', `rt-${id}`, BASELINE, [{ workload: 'orders' }]));
    await waitForPhase(aliceSlice, ['Ready'], 180_000);
    await waitForPhase(bobSlice, ['Ready'], 180_000);
    aliceKey = await eventually('alice\'s routing key', () => readKey(alice, aliceSlice), 30_000);
    bobKey = await eventually('bob\'s routing key', () => readKey(bob, bobSlice), 30_000);
    assert.match(aliceKey, new RegExp(`^${aliceSlice}\\.[0-9a-f]{32}$`));
    assert.notEqual(aliceKey, bobKey);
    await assert.rejects(readKey(bob, aliceSlice), (e: unknown) => statusCode(e) === 403);
  });

  void test('a checkout with alice\'s key reaches alice\'s fork, bob\'s reaches bob\'s, everyone else\'s the baseline', async () => {
    const start = Date.now();
    // each slice's route reaches the router on the routing reconciler's next pass after it is Ready
    await eventually('alice\'s key routed', async () => (await ordersHop({ [ROUTING_HEADER]: aliceKey })) === `slice-${aliceSlice}/orders`, 60_000, 200);
    await eventually('bob\'s key routed', async () => (await ordersHop({ [ROUTING_HEADER]: bobKey })) === `slice-${bobSlice}/orders`, 60_000, 200);
    console.log(`routed ${Date.now() - start} ms after both slices were Ready`);
    assert.equal(await ordersHop({ baggage: withKeyInBaggage(aliceKey, 'other=1') }), `slice-${aliceSlice}/orders`);
    assert.equal(await ordersHop({ [ROUTING_HEADER]: bobKey }), `slice-${bobSlice}/orders`);
    assert.equal(await ordersHop({ baggage: withKeyInBaggage(bobKey) }), `slice-${bobSlice}/orders`);
    assert.equal(await ordersHop(), 'shop/orders');
    // bob guessing alice's key: her slice's name with any secret is not her key
    assert.equal(await ordersHop({ [ROUTING_HEADER]: `${aliceSlice}.${'0'.repeat(32)}` }), 'shop/orders');
    assert.equal(await ordersHop({ [ROUTING_HEADER]: aliceSlice }), 'shop/orders');
    // alice forks nothing on the catalog's path (storefront -> inventory): the baseline serves it all
    const [catalog] = await send([{ url: `http://inventory.shop.svc.cluster.local/catalog`, headers: { [ROUTING_HEADER]: aliceKey } }]);
    assert.equal(catalog!.servedBy, 'shop/inventory');
    // the router says which hop it sent to a fork
    const [direct] = await send([{ url: 'http://orders.shop.svc.cluster.local/orders/none', headers: { [ROUTING_HEADER]: aliceKey } }]);
    assert.equal(direct!.routed, `${aliceSlice}/orders`);
    assert.equal(direct!.servedBy, `slice-${aliceSlice}/orders`);
  });

  void test('requests without a key get the same answers as without the routing layer', async () => {
    const core = admin.makeApiClient(k8s.CoreV1Api);
    const svc = await core.readNamespacedService({ name: 'orders', namespace: BASELINE });
    assert.ok(svc.metadata?.annotations?.['slice.dev/routing-original'], 'orders goes through the router now');
    const now = await send(KEYLESS.map((url) => ({ url })));
    assert.deepEqual(now, keyless);
  });

  void test('a fork that is down answers its routed requests with a 503 that says so', async () => {
    // the fork's app exits (its container restarts, then backs off): routed requests meanwhile get a 503 with the reason
    const ns = `slice-${aliceSlice}`;
    const core = alice.makeApiClient(k8s.CoreV1Api);
    let answer: Answer | undefined;
    for (let attempt = 0; attempt < 6 && !answer; attempt++) {
      const pods = await core.listNamespacedPod({ namespace: ns, labelSelector: 'slice.dev/fork=orders' });
      for (const p of pods.items) await execIn(alice, ns, p.metadata!.name!, 'app', ['kill', '1']).catch(() => undefined);
      const deadline = Date.now() + 4000;
      while (!answer && Date.now() < deadline) {
        const [a] = await send([{ url: 'http://orders.shop.svc.cluster.local/orders/none', headers: { [ROUTING_HEADER]: aliceKey } }]);
        if (a!.status === 503) answer = a;
      }
    }
    assert.ok(answer, "a 503 while alice's fork was down");
    assert.match(answer.body, new RegExp(`the fork of orders in slice ${aliceSlice} is not answering`));
    // bob's and keyless requests are not affected
    assert.equal(await ordersHop({ [ROUTING_HEADER]: bobKey }), `slice-${bobSlice}/orders`);
    assert.equal(await ordersHop(), 'shop/orders');
    // the fork comes back and serves alice's key again
    await eventually("alice's fork back", async () => (await ordersHop({ [ROUTING_HEADER]: aliceKey })) === `slice-${aliceSlice}/orders`, 120_000, 500);
  });

  void test('after alice\'s slice is deleted her key goes to the baseline within seconds; bob\'s still reaches his fork', async () => {
    await alice.makeApiClient(k8s.CustomObjectsApi).deleteClusterCustomObject({ group: 'slice.dev', version: 'v1alpha1', plural: 'slices', name: aliceSlice });
    const start = Date.now();
    await eventually('alice\'s key back on the baseline', async () => (await ordersHop({ [ROUTING_HEADER]: aliceKey })) === 'shop/orders', 30_000, 200);
    console.log(`alice's key fell back ${Date.now() - start} ms after the delete`);
    assert.equal(await ordersHop({ [ROUTING_HEADER]: bobKey }), `slice-${bobSlice}/orders`);
  });

  void test('with no slice left, orders stays with the router and every request reaches the baseline', async () => {
    await bob.makeApiClient(k8s.CustomObjectsApi).deleteClusterCustomObject({ group: 'slice.dev', version: 'v1alpha1', plural: 'slices', name: bobSlice });
    await eventually("bob's key back on the baseline", async () => (await ordersHop({ [ROUTING_HEADER]: bobKey })) === 'shop/orders', 30_000, 200);
    const svc = await admin.makeApiClient(k8s.CoreV1Api).readNamespacedService({ name: 'orders', namespace: BASELINE });
    assert.ok(svc.metadata?.annotations?.['slice.dev/routing-original'], 'orders still goes through the router');
    // the router's config with no routes still listens for orders (it refused every connection when it did not)
    for (let i = 0; i < 10; i++) assert.equal(await ordersHop(), 'shop/orders');
    assert.deepEqual(await send(KEYLESS.map((url) => ({ url }))), keyless);
  });

  void test('the router runs under Pod Security restricted with no service account token', async () => {
    const pods = await admin.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace: BASELINE, labelSelector: 'app.kubernetes.io/name=slice-router' });
    assert.ok(pods.items.length > 0);
    for (const p of pods.items) {
      assert.equal(p.spec?.automountServiceAccountToken, false);
      const c = p.spec.containers[0]!;
      assert.equal(c.securityContext?.allowPrivilegeEscalation, false);
      assert.deepEqual(c.securityContext?.capabilities?.drop, ['ALL']);
      assert.equal(p.spec?.securityContext?.runAsNonRoot, true);
    }
    const ns = await admin.makeApiClient(k8s.CoreV1Api).readNamespace({ name: BASELINE });
    assert.equal(ns.metadata?.labels?.['pod-security.kubernetes.io/enforce'], 'restricted');
  });
});
