// Red team, data (issue 17): alice, with her own identity and whatever her slice gives her (her
// Secret's URL, her pods, her Slice spec), tries to reach bob's data, the platform role's rights, or
// the database server's OS, and to make her data outlive her slice. Every attempt must be refused and
// leave nothing of bob's readable. Threat model: docs/threat-model.md. Slice names start with `rt-`.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import { sliceDatabaseName } from '../../../src/core/slice/dataBranch';
import { type ForkSpec, type SliceObject } from '../../../src/core/slice/sliceResource';
import { eventually, statusCode } from '../smoke/helpers';
import { admin, alice, bob, cleanup, createSlice, deleteSlice, getSlice, patchSlice, sliceBody, waitForPhase, waitGone } from '../slices/sliceFixture';
import { buildProbeImage, createDataBaseline, hostSql, podSql, secretData } from '../data/dataFixture';

const id = randomBytes(3).toString('hex');
const baseline = `rt-base-${id}`;
const aliceSlice = `alice-rt${id}`;
const bobSlice = `bob-rt${id}`;
const aliceNs = `slice-${aliceSlice}`;
const created: string[] = [];
const forks = (database = 'shop', extra: object = {}): ForkSpec[] => [{ workload: 'orders', data: { postgres: { database, env: 'DATABASE_URL', copy: ['orders', 'products'], rowCap: 100, ...extra } } }];
const aliceDb = sliceDatabaseName(aliceSlice, 'shop');
const bobDb = sliceDatabaseName(bobSlice, 'shop');
const SECRET_NOTE = `bobs-secret-${id}`;

async function make(kc: k8s.KubeConfig, owner: string, name: string, f: ForkSpec[], extra: Partial<SliceObject['spec']> = {}): Promise<string> {
  await createSlice(kc, sliceBody(owner, name, baseline, f, extra));
  created.push(`${owner}-${name}`);
  return `${owner}-${name}`;
}

/** A further slice of alice's for one attack, gone again afterwards (the platform allows 3 per owner). */
async function withSlice(name: string, f: ForkSpec[], fn: (slice: string) => Promise<void>): Promise<void> {
  const slice = await make(alice, 'alice', name, f);
  try {
    await fn(slice);
  } finally {
    await deleteSlice(slice);
    await waitGone(slice, `slice-${slice}`, 120_000).catch(() => undefined);
  }
}

const dataCondition = (s: SliceObject | undefined) => s?.status?.conditions?.find((c) => c.type === 'DataReady');
async function waitDataMessage(name: string, re: RegExp): Promise<string> {
  return eventually(`${name}: DataReady message ${re}`, async () => {
    const m = dataCondition(await getSlice(name))?.message ?? '';
    if (re.test(m)) return m;
    throw new Error(`DataReady: ${m || '-'}`);
  }, 120_000, 500);
}

async function dbExists(name: string): Promise<boolean> {
  return (await hostSql('postgres', `SELECT 1 FROM pg_database WHERE datname = '${name}'`)).length === 1;
}

/** The roles `role` is a member of, directly or not (catalog read as the platform). */
async function memberships(role: string): Promise<string[]> {
  const rows = await hostSql('postgres', `SELECT g.rolname::text AS r FROM pg_roles g WHERE pg_has_role('${role}', g.oid, 'MEMBER') AND g.rolname <> '${role}' ORDER BY 1`);
  return rows.map((r) => String(r.r));
}

void describe('red team: data isolation (alice against bob and the platform)', { timeout: 900_000 }, () => {
  before(async () => {
    const image = await buildProbeImage();
    await createDataBaseline(baseline, image);
    await Promise.all([make(alice, 'alice', `rt${id}`, forks()), make(bob, 'bob', `rt${id}`, forks())]);
    await Promise.all([waitForPhase(aliceSlice, ['Ready'], 240_000), waitForPhase(bobSlice, ['Ready'], 240_000)]);
    const w = await podSql('bob', `slice-${bobSlice}`, 'deploy/orders', `INSERT INTO public.orders (product_id, note) VALUES ((SELECT min(id) FROM public.products), '${SECRET_NOTE}') RETURNING id`);
    assert.ok(w.rows?.length === 1, JSON.stringify(w));
  });
  after(async () => cleanup(created, baseline));

  void test("finding 2: naming bob's branch (or the server's own databases) as the source is refused; nothing of bob's is copied", async () => {
    const targets = [bobDb, 'postgres', 'template1'];
    for (const [i, target] of targets.entries()) {
      await withSlice(`rt${id}s${i}`, forks(target), async (name) => {
        const msg = await waitDataMessage(name, /does not declare the database|is not a baseline database/);
        assert.doesNotMatch(msg, /orders|products/, 'the refusal names no table');
        assert.ok(!(await dbExists(sliceDatabaseName(name, target))), `no branch of ${target} was made`);
      });
    }
    // bob's row stays his alone
    const rows = await hostSql('postgres', `SELECT datname FROM pg_database WHERE datname LIKE 'slice\\_%' AND datname <> '${bobDb}'`);
    for (const r of rows) {
      const n = await hostSql(String(r.datname), `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tablename = 'orders'`).catch(() => [{ n: 0 }]);
      if (Number(n[0]?.n) === 0) continue;
      assert.deepEqual(await hostSql(String(r.datname), `SELECT count(*)::int AS n FROM public.orders WHERE note = '${SECRET_NOTE}'`), [{ n: 0 }], `${String(r.datname)} holds bob's row`);
    }
  });

  void test("finding 1: from her own role alice cannot gain the platform's rights, bob's role or the server's programs", async () => {
    const attempts: [string, RegExp][] = [
      ['GRANT pg_execute_server_program TO CURRENT_USER', /^ERROR 42501/],
      [`GRANT "${bobDb}" TO CURRENT_USER`, /^ERROR 42501/],
      ["COPY (SELECT 1) TO PROGRAM 'id'", /^ERROR 42501/],
      ['SET ROLE slice_platform', /^ERROR 42501/],
      [`SELECT slice_admin.ensure_role('${aliceDb}', 'x', '{}')`, /^ERROR (42501|3F000)/],
      [`SELECT slice_admin.drop_role('${bobDb}')`, /^ERROR (42501|3F000)/],
      ['CREATE ROLE rt_evil LOGIN', /^ERROR 42501/],
      [`ALTER ROLE "${bobDb}" PASSWORD 'x'`, /^ERROR 42501/],
    ];
    for (const [sql, want] of attempts) {
      const r = await podSql('alice', aliceNs, 'deploy/orders', sql);
      assert.match(r.error ?? `allowed: ${JSON.stringify(r.rows)}`, want, sql);
    }
    assert.deepEqual(await memberships(aliceDb), ['slice_tenant']);
  });

  void test('finding 1: a rebranch gives a new password that alice only learns from her Secret after the commit; racing it with the old one fails; planted code never gains rights', async () => {
    const before = (await getSlice(aliceSlice))!.status!.data![0]!.branchedAt;
    const oldUrl = (await secretData(aliceNs, 'slice-data-shop')).url!;
    // alice plants what the old attack used: a function that tries RESET ROLE and grants, called from a CHECK
    for (const sql of [
      `CREATE FUNCTION public.trap(x bigint) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN
        BEGIN EXECUTE 'RESET ROLE'; EXECUTE 'GRANT pg_execute_server_program TO ' || quote_ident(session_user); EXCEPTION WHEN OTHERS THEN NULL; END;
        BEGIN EXECUTE 'GRANT ' || quote_ident('${bobDb}') || ' TO ' || quote_ident(session_user); EXCEPTION WHEN OTHERS THEN NULL; END;
        RETURN true; END $$`,
      'ALTER TABLE public.orders ADD CONSTRAINT trap_check CHECK (public.trap(id))',
    ]) {
      const r = await podSql('alice', aliceNs, 'deploy/orders', sql);
      assert.equal(r.error, undefined, sql);
    }
    await patchSlice(alice, aliceSlice, [{ op: 'add', path: '/spec/dataResetToken', value: `rt-${Date.now()}` }]);
    const raced: boolean[] = [];
    await eventually('the rebranch to complete', async () => {
      const r: { rows?: unknown[] } = await podSql('alice', aliceNs, 'deploy/orders', 'SELECT 1 AS one', oldUrl).catch(() => ({}));
      raced.push(!!r.rows);
      const s = await getSlice(aliceSlice);
      return s?.status?.data?.[0]?.ready === true && s.status.data[0].branchedAt !== before;
    }, 180_000, 200);
    const after = await podSql('alice', aliceNs, 'deploy/orders', 'SELECT 1 AS one', oldUrl);
    assert.match(after.error ?? 'the old password still works', /^ERROR 28P01/);
    // racing the rebranch: once the old password stopped working, it never worked again (no window in which the replay was reachable with it)
    const firstRefusal = raced.indexOf(false);
    assert.ok(firstRefusal === -1 || !raced.slice(firstRefusal).includes(true), `the old password came back during the rebranch: ${raced.join(',')}`);
    const newUrl = (await secretData(aliceNs, 'slice-data-shop')).url!;
    assert.notEqual(newUrl, oldUrl);
    const fresh = await eventually('the rolled fork to use the new branch', async () => (await podSql('alice', aliceNs, 'deploy/orders', `SELECT count(*)::int AS n FROM pg_proc WHERE proname = 'trap'`)).rows, 90_000);
    assert.deepEqual(fresh, [{ n: 0 }], 'the planted function is gone with the old database');
    assert.deepEqual(await memberships(aliceDb), ['slice_tenant'], 'no grant of the trap ever took');
  });

  void test("the platform role's rights: no CREATEROLE, member of no slice role, role management only through slice_admin", async () => {
    const [p] = await hostSql('postgres', `SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = 'slice_platform'`);
    assert.deepEqual(p, { rolsuper: false, rolcreaterole: false, rolcreatedb: true });
    assert.deepEqual(await memberships('slice_platform'), ['pg_read_all_data']);
    await assert.rejects(hostSql('postgres', `CREATE ROLE rt_platform_made LOGIN`), /permission denied/);
    await assert.rejects(hostSql('postgres', `SELECT slice_admin.drop_role('slice_platform')`), /not a slice role/);
    await assert.rejects(hostSql('postgres', `SELECT slice_admin.ensure_role('shop', 'x', '{}')`), /not a slice role name/);
    // the platform cannot read a slice's tables by being its role: it is not
    await assert.rejects(hostSql(aliceDb, `SET ROLE "${aliceDb}"`), /permission denied/);
  });

  void test('finding 5: a database that carries no marker of this slice is never dropped or adopted', async () => {
    const db = sliceDatabaseName(`alice-rt${id}c`, 'shop');
    await hostSql('postgres', `CREATE DATABASE "${db}"`);
    try {
      await withSlice(`rt${id}c`, forks(), async (name) => {
        await waitDataMessage(name, /exists and is not this slice's: it is left alone/);
        assert.ok(await dbExists(db), 'the unmarked database was not dropped');
      });
    } finally {
      await hostSql('postgres', `DROP DATABASE IF EXISTS "${db}"`);
    }
  });

  void test('quotas: a rowCap over the platform\'s limit is capped and said; a second reset within the interval waits', async () => {
    await withSlice(`rt${id}q`, forks('shop', { rowCap: 500_000 }), async (name) => {
      await waitDataMessage(name, /rowCap 500000 is over the platform's limit: 100000 rows per table are copied/);
      await waitForPhase(name, ['Ready'], 240_000);
      await patchSlice(alice, name, [{ op: 'add', path: '/spec/dataResetToken', value: 'q1' }]);
      await waitDataMessage(name, /a reset is allowed once every 30 s|ready$/);
      await patchSlice(alice, name, [{ op: 'replace', path: '/spec/dataResetToken', value: 'q2' }]);
      await waitDataMessage(name, /a reset is allowed once every 30 s: this one runs at/);
    });
  });

  void test('finding 3: the owner cannot remove the finalizer; if it goes anyway, the sweeper drops database and role', async () => {
    const name = await make(alice, 'alice', `rt${id}f`, forks());
    await waitForPhase(name, ['Ready'], 240_000);
    const db = sliceDatabaseName(name, 'shop');
    const creds = await secretData(`slice-${name}`, 'slice-data-shop');
    await assert.rejects(patchSlice(alice, name, [{ op: 'replace', path: '/metadata/finalizers', value: [] }]), (e: unknown) => statusCode(e) === 403 || statusCode(e) === 422);
    // a finalizer removed by someone who may (here: the admin, as an owner's bypass would)
    await alice.makeApiClient(k8s.CustomObjectsApi).deleteClusterCustomObject({ group: 'slice.dev', version: 'v1alpha1', plural: 'slices', name });
    await patchSlice(admin, name, [{ op: 'replace', path: '/metadata/finalizers', value: [] }]).catch(() => undefined);
    await eventually(`${db} and its role dropped by the sweeper`, async () => !(await dbExists(db)) && (await hostSql('postgres', `SELECT 1 FROM pg_roles WHERE rolname = '${db}'`)).length === 0, 150_000, 1000);
    await assert.rejects(hostSql(db, 'SELECT 1', { name: creds.user!, password: creds.password! }), /does not exist|authentication failed/);
  });

  void test("bob cannot read alice's data from his slice, and the status every developer reads lists no catalog", async () => {
    const bobs = await secretData(`slice-${bobSlice}`, 'slice-data-shop');
    const u = new URL(bobs.url!);
    u.pathname = `/${aliceDb}`;
    const r = await podSql('bob', `slice-${bobSlice}`, 'deploy/orders', 'SELECT 1 AS one', u.toString());
    assert.match(r.error ?? '', /^ERROR 42501 permission denied for database/);
    await withSlice(`rt${id}t`, [{ workload: 'orders', data: { postgres: { database: 'shop', copy: ['no_such_table'] } } }], async (name) => {
      const msg = await waitDataMessage(name, /does not have/);
      assert.doesNotMatch(msg, /products|orders,/, msg);
    });
  });
});
