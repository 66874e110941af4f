// Data isolation on the real cluster and the real PostgreSQL (test/cluster/postgres.sh): each slice's
// fork gets its own database branched from the baseline `shop`; writes stay in it; a slice role reaches
// no other database; reset re-branches; deletion drops database and role; a slice created while the
// server is down says so and recovers when it returns; one deleted while it is down stays, says why,
// and goes once it is back. Slice names start with `db-`.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import { dataSecretName, sliceDatabaseName } from '../../../src/core/slice/dataBranch';
import { type ForkSpec, type SliceObject } from '../../../src/core/slice/sliceResource';
import { eventually } from '../smoke/helpers';
import { admin, alice, bob, cleanup, createSlice, deleteSlice, forkPod, getSlice, patchSlice, sliceBody, waitForPhase, waitGone } from '../slices/sliceFixture';
import { buildProbeImage, createDataBaseline, hostSql, podSql, postgresCtl, secretData } from './dataFixture';

const id = randomBytes(3).toString('hex');
const baseline = `db-base-${id}`;
const aliceSlice = `alice-db-${id}`;
const bobSlice = `bob-db-${id}`;
const downSlice = `alice-db-down-${id}`;
const created: string[] = [];
const forks: ForkSpec[] = [{ workload: 'orders', data: { postgres: { database: 'shop', env: 'DATABASE_URL', copy: ['orders', 'products'], rowCap: 100 } } }];
const NOTE = `written-by-alice-${id}`;

async function make(kc: k8s.KubeConfig, owner: string, name: string): Promise<void> {
  await createSlice(kc, sliceBody(owner, name, baseline, forks));
  created.push(`${owner}-${name}`);
}

async function waitData(name: string, pred: (s: SliceObject) => boolean, what: string, timeoutMs = 180_000): Promise<SliceObject> {
  return eventually(`${name}: ${what}`, async () => {
    const s = await getSlice(name);
    if (s && pred(s)) return s;
    throw new Error(`phase ${s?.status?.phase}; DataReady: ${s?.status?.conditions?.find((c) => c.type === 'DataReady')?.message ?? '-'}; Ready: ${s?.status?.conditions?.find((c) => c.type === 'Ready')?.message ?? '-'}`);
  }, timeoutMs, 500);
}

const count = (rows: Record<string, unknown>[] | undefined): number => Number(rows?.[0]?.n ?? -1);
const notes = `SELECT count(*)::int AS n FROM public.orders WHERE note = '${NOTE}'`;

void describe('data isolation: a PostgreSQL branch per slice', { timeout: 900_000 }, () => {
  before(async () => {
    const image = await buildProbeImage();
    await createDataBaseline(baseline, image);
    await make(alice, 'alice', `db-${id}`);
    await make(bob, 'bob', `db-${id}`);
    await Promise.all([waitForPhase(aliceSlice, ['Ready'], 240_000), waitForPhase(bobSlice, ['Ready'], 240_000)]);
    await eventually('the baseline orders pod', async () => {
      const pods = await admin.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace: baseline, labelSelector: 'app=orders' });
      return pods.items.some((p) => p.status?.containerStatuses?.every((c) => c.ready));
    }, 90_000);
  });
  after(async () => {
    await postgresCtl('up'); // whatever happened, the server runs again
    await cleanup(created, baseline);
  });

  void test("alice's fork writes a row: her database has it, the baseline and bob's slice do not; the fork never sees the baseline's Secret", async () => {
    const a = (await getSlice(aliceSlice))!;
    const db = sliceDatabaseName(aliceSlice, 'shop');
    assert.deepEqual(a.status?.data?.map((d) => ({ baseline: d.baseline, database: d.database, ready: d.ready, secret: d.secret })), [{ baseline: 'shop', database: db, ready: true, secret: dataSecretName('shop') }]);
    assert.ok((a.status?.data?.[0]?.sizeBytes ?? 0) > 0);
    assert.equal(a.status?.conditions?.find((c) => c.type === 'DataReady')?.status, 'True');

    const ns = `slice-${aliceSlice}`;
    const pod = await forkPod(ns, 'orders');
    const env = pod.spec?.containers.find((c) => c.name === 'orders')?.env?.find((e) => e.name === 'DATABASE_URL');
    assert.deepEqual({ ...env?.valueFrom?.secretKeyRef }, { name: 'slice-data-shop', key: 'url' });
    const secrets = (await admin.makeApiClient(k8s.CoreV1Api).listNamespacedSecret({ namespace: ns })).items.map((s) => s.metadata?.name);
    assert.ok(!secrets.includes('shop-db'), `the baseline's Secret must not be in the slice: ${secrets.join(', ')}`);
    assert.ok(!(await secretData(ns, 'slice-data-shop')).url?.includes('shop:'), 'the slice URL carries the slice role, not the baseline role');

    const whoami = await podSql('alice', ns, 'deploy/orders', 'SELECT current_database() AS db, current_user AS u');
    assert.deepEqual(whoami.rows, [{ db, u: db }]);
    const baseOrders = count((await podSql('admin', baseline, 'deploy/orders', 'SELECT count(*)::int AS n FROM public.orders')).rows);
    assert.equal(count((await podSql('alice', ns, 'deploy/orders', 'SELECT count(*)::int AS n FROM public.orders')).rows), baseOrders, "the seed's orders were copied");

    const ins = await podSql('alice', ns, 'deploy/orders', `INSERT INTO public.orders (product_id, note) VALUES ((SELECT min(id) FROM public.products), '${NOTE}') RETURNING id`);
    assert.ok(ins.rows?.length === 1, JSON.stringify(ins));
    assert.equal(Number(ins.rows[0]?.id), baseOrders + 1, 'the identity sequence continues after the copied rows');
    assert.equal(count((await podSql('alice', ns, 'deploy/orders', notes)).rows), 1);
    assert.equal(count((await podSql('admin', baseline, 'deploy/orders', notes)).rows), 0, 'the baseline does not see it');
    assert.equal(count((await podSql('bob', `slice-${bobSlice}`, 'deploy/orders', notes)).rows), 0, "bob's slice does not see it");
    assert.equal(count(await hostSql('shop', notes)), 0);
  });

  void test("alice's role cannot connect to bob's database, to the baseline's, or to the server's own", async () => {
    const ns = `slice-${aliceSlice}`;
    const mine = await secretData(ns, 'slice-data-shop');
    const url = (database: string) => { const u = new URL(mine.url!); u.pathname = `/${database}`; return u.toString(); };
    for (const target of [sliceDatabaseName(bobSlice, 'shop'), 'shop', 'postgres']) {
      const r = await podSql('alice', ns, 'deploy/orders', 'SELECT 1 AS one', url(target));
      assert.match(r.error ?? '', /^ERROR 42501 permission denied for database/, `${target}: ${JSON.stringify(r)}`);
    }
    // the same from the host, to be sure it is the database's privileges and not only the network
    await assert.rejects(hostSql(sliceDatabaseName(bobSlice, 'shop'), 'SELECT 1', { name: mine.user!, password: mine.password! }), /permission denied for database/);
    const policies = (await admin.makeApiClient(k8s.NetworkingV1Api).listNamespacedNetworkPolicy({ namespace: ns })).items;
    const pg = policies.find((p) => p.metadata?.name === 'slice-allow-postgres');
    assert.deepEqual(pg?.spec?.egress?.map((e) => ({ to: e.to?.map((t) => t.ipBlock?.cidr), ports: e.ports?.map((p) => p.port) })), [{ to: ['10.244.0.1/32'], ports: [15432] }]);
  });

  void test('reset from baseline restores the seed', async () => {
    const before = (await getSlice(aliceSlice))!.status!.data![0]!.branchedAt;
    await patchSlice(alice, aliceSlice, [{ op: 'add', path: '/spec/dataResetToken', value: `reset-${Date.now()}` }]);
    await waitData(aliceSlice, (s) => s.status?.data?.[0]?.ready === true && s.status.data[0].branchedAt !== before, 're-branched');
    const ns = `slice-${aliceSlice}`;
    const r = await eventually('the fork to query the new branch', async () => (await podSql('alice', ns, 'deploy/orders', notes)).rows, 30_000);
    assert.equal(count(r), 0, "alice's row is gone");
    const baseOrders = count((await podSql('admin', baseline, 'deploy/orders', 'SELECT count(*)::int AS n FROM public.orders')).rows);
    assert.equal(count((await podSql('alice', ns, 'deploy/orders', 'SELECT count(*)::int AS n FROM public.orders')).rows), baseOrders);
  });

  void test('deleting a slice drops its database and role', async () => {
    const db = sliceDatabaseName(bobSlice, 'shop');
    assert.equal((await hostSql('postgres', `SELECT 1 FROM pg_database WHERE datname = '${db}'`)).length, 1);
    await cleanup([bobSlice]);
    await waitGone(bobSlice, `slice-${bobSlice}`);
    assert.deepEqual(await hostSql('postgres', `SELECT datname FROM pg_database WHERE datname = '${db}'`), []);
    assert.deepEqual(await hostSql('postgres', `SELECT rolname FROM pg_roles WHERE rolname = '${db}'`), []);
  });

  void test('a slice created while PostgreSQL is stopped says so, and recovers when it is back', async () => {
    await postgresCtl('down');
    try {
      await make(alice, 'alice', `db-down-${id}`);
      const s = await waitData(downSlice, (x) => x.status?.conditions?.some((c) => c.type === 'DataReady' && c.status === 'False') === true, 'DataReady=False', 90_000);
      const cond = s.status!.conditions!.find((c) => c.type === 'DataReady')!;
      assert.match(cond.message, /^shop: PostgreSQL at postgres\.slice-data\.svc\.cluster\.local:5432 is unreachable: .+; the slice will retry$/);
      assert.equal(s.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
      assert.notEqual(s.status?.phase, 'Failed');
    } finally {
      await postgresCtl('up');
    }
    const ok = await waitData(downSlice, (x) => x.status?.phase === 'Ready' && x.status.data?.[0]?.ready === true, 'Ready after the server returned', 180_000);
    assert.equal(ok.status?.conditions?.find((c) => c.type === 'DataReady')?.status, 'True');
    const r = await podSql('alice', `slice-${downSlice}`, 'deploy/orders', 'SELECT current_database() AS db');
    assert.deepEqual(r.rows, [{ db: sliceDatabaseName(downSlice, 'shop') }]);
  });

  void test('a slice deleted while PostgreSQL is stopped stays, says why, and goes once the server is back', async () => {
    const db = sliceDatabaseName(downSlice, 'shop');
    assert.equal((await hostSql('postgres', `SELECT 1 FROM pg_database WHERE datname = '${db}'`)).length, 1);
    await postgresCtl('down');
    try {
      await deleteSlice(downSlice, alice);
      const s = await waitData(downSlice, (x) => x.status?.conditions?.some((c) => c.type === 'DataReady' && c.reason === 'DropPending') === true, 'DataReady=False DropPending', 240_000);
      assert.equal(s.status?.phase, 'Terminating');
      const cond = s.status.conditions!.find((c) => c.type === 'DataReady')!;
      assert.equal(cond.status, 'False');
      assert.match(cond.message, /^its data is not dropped yet: .*PostgreSQL at postgres\.slice-data\.svc\.cluster\.local:5432 is unreachable: .+\. The slice is deleted once it is \(if a platform admin removes the finalizer slice\.dev\/cleanup first, the controller's sweeper drops the data once the server answers\)\.$/);
    } finally {
      await postgresCtl('up');
    }
    await waitGone(downSlice, `slice-${downSlice}`, 180_000);
    assert.deepEqual(await hostSql('postgres', `SELECT datname FROM pg_database WHERE datname = '${db}'`), [], 'the database was dropped before the slice went');
  });
});
