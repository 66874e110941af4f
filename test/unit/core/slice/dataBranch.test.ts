import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  type BaselineCatalog, dataBranches, dataSecretName, planBranch, quoteIdent, quoteLiteral, resolveCopyTables, sliceDatabaseName,
} from '../../../../src/core/slice/dataBranch';
import { renderFork } from '../../../../src/core/slice/fork';
import { type SliceContext } from '../../../../src/core/slice/manifests';
import { type Deployment } from '../../../../src/core/slice/k8sTypes';

test('identifiers and literals are quoted, with quotes doubled', () => {
  assert.equal(quoteIdent('orders'), '"orders"');
  assert.equal(quoteIdent('we"ird'), '"we""ird"');
  assert.equal(quoteLiteral("it's"), "'it''s'");
});

test('slice database names: derived from the slice and the baseline database, [a-z0-9_], at most 63 bytes, each pair its own SHA-256 suffix', () => {
  assert.match(sliceDatabaseName('alice-dev', 'shop'), /^slice_alice_dev_shop_[0-9a-f]{16}$/);
  assert.notEqual(sliceDatabaseName('alice-dev', 'shop'), sliceDatabaseName('alice', 'dev_shop'), 'the readable part may meet; the digest of the pair does not');
  const long = 'a'.repeat(57);
  const a = sliceDatabaseName(long, 'shop');
  const b = sliceDatabaseName(long, 'shop2');
  assert.ok(a.length <= 63 && b.length <= 63, `${a} ${b}`);
  assert.notEqual(a, b);
  assert.match(sliceDatabaseName('Bob.Ünïcode', 'Shop"DB'), /^[a-z0-9_]+$/);
  assert.equal(sliceDatabaseName('alice-x', 'shop'), sliceDatabaseName('alice-x', 'shop'), 'stable');
  assert.notEqual(sliceDatabaseName('alice-x', 'shop'), sliceDatabaseName('alice_x', 'shop'), 'alice-x and alice_x do not collide');
});

test('data secret names are DNS names', () => {
  assert.equal(dataSecretName('shop'), 'slice-data-shop');
  assert.match(dataSecretName('Shop_DB'), /^slice-data-shop-db-[0-9a-f]{8}$/);
});

test('forks that share a database get one branch: copy lists merged, the larger cap, each fork its env variable', () => {
  const b = dataBranches([
    { workload: 'orders', data: { postgres: { database: 'shop', copy: ['orders'], rowCap: 100 } } },
    { workload: 'billing', data: { postgres: { database: 'shop', env: 'PG_URL', copy: ['products', 'orders'] } } },
    { workload: 'web' },
  ]);
  assert.deepEqual(b, [{ baseline: 'shop', copy: ['orders', 'products'], rowCap: 10_000, envByFork: { orders: 'DATABASE_URL', billing: 'PG_URL' } }]);
});

const catalog: BaselineCatalog = {
  schemas: [{ name: 'app' }],
  enums: [{ schema: 'public', name: 'order_status', labels: ['new', "it's paid"] }],
  sequences: [{ schema: 'public', name: 'products_id_seq', type: 'integer', start: '1', increment: '1', min: '1', max: '2147483647', cache: '1', cycle: false, owned_schema: 'public', owned_table: 'products', owned_column: 'id' }],
  tables: [{ schema: 'public', name: 'products' }, { schema: 'public', name: 'orders' }, { schema: 'app', name: 'audit' }],
  columns: [
    { schema: 'public', table: 'products', name: 'id', type: 'integer', not_null: true, default: "nextval('public.products_id_seq'::regclass)", identity: '', generated: '' },
    { schema: 'public', table: 'products', name: 'name', type: 'text', not_null: true, default: null, identity: '', generated: '' },
    { schema: 'public', table: 'orders', name: 'id', type: 'bigint', not_null: true, default: null, identity: 'd', generated: '' },
    { schema: 'public', table: 'orders', name: 'product_id', type: 'integer', not_null: true, default: null, identity: '', generated: '' },
    { schema: 'public', table: 'orders', name: 'status', type: 'public.order_status', not_null: true, default: "'new'::public.order_status", identity: '', generated: '' },
    { schema: 'public', table: 'orders', name: 'total', type: 'integer', not_null: false, default: 'quantity * 2', identity: '', generated: 's' },
    { schema: 'app', table: 'audit', name: 'message', type: 'text', not_null: false, default: null, identity: '', generated: '' },
  ],
  constraints: [
    { schema: 'public', table: 'products', name: 'products_pkey', type: 'p', def: 'PRIMARY KEY (id)', ref_schema: null, ref_table: null, columns: ['id'] },
    { schema: 'public', table: 'orders', name: 'orders_pkey', type: 'p', def: 'PRIMARY KEY (id)', ref_schema: null, ref_table: null, columns: ['id'] },
    { schema: 'public', table: 'orders', name: 'orders_product_id_fkey', type: 'f', def: 'FOREIGN KEY (product_id) REFERENCES public.products(id)', ref_schema: 'public', ref_table: 'products', columns: ['product_id'] },
  ],
  indexes: [{ schema: 'public', table: 'orders', name: 'orders_product_idx', def: 'CREATE INDEX orders_product_idx ON public.orders USING btree (product_id)' }],
  views: [{ schema: 'public', name: 'big_orders', def: ' SELECT orders.id FROM public.orders;' }],
};

test('the plan: schemas, types, sequences and tables first; rows ordered by primary key and capped; constraints, indexes, FKs, sequence values and views after', () => {
  const copied = [catalog.tables[0]!, catalog.tables[1]!];
  const plan = planBranch(catalog, copied, new Set(), 500);
  assert.deepEqual(plan.pre, [
    'CREATE SCHEMA IF NOT EXISTS "app"',
    `CREATE TYPE "public"."order_status" AS ENUM ('new', 'it''s paid')`,
    'CREATE SEQUENCE "public"."products_id_seq" AS integer INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1 NO CYCLE',
    `CREATE TABLE "public"."products" ("id" integer DEFAULT nextval('public.products_id_seq'::regclass) NOT NULL, "name" text NOT NULL)`,
    `CREATE TABLE "public"."orders" ("id" bigint GENERATED BY DEFAULT AS IDENTITY NOT NULL, "product_id" integer NOT NULL, "status" public.order_status DEFAULT 'new'::public.order_status NOT NULL, "total" integer GENERATED ALWAYS AS (quantity * 2) STORED)`,
    'CREATE TABLE "app"."audit" ("message" text)',
  ]);
  assert.deepEqual(plan.copies[1], {
    table: '"public"."orders"',
    source: 'COPY (SELECT "id", "product_id", "status" FROM "public"."orders" ORDER BY "id" LIMIT 500) TO STDOUT',
    target: 'COPY "public"."orders" ("id", "product_id", "status") FROM STDIN',
  });
  assert.equal(plan.post[0], 'ALTER SEQUENCE "public"."products_id_seq" OWNED BY "public"."products"."id"');
  assert.ok(plan.post.includes('ALTER TABLE "public"."orders" ADD CONSTRAINT "orders_product_id_fkey" FOREIGN KEY (product_id) REFERENCES public.products(id)'));
  assert.deepEqual(plan.notValid, []);
  const idx = (s: string) => plan.post.findIndex((p) => p.includes(s));
  assert.ok(idx('orders_pkey') < idx('orders_product_idx') && idx('orders_product_idx') < idx('orders_product_id_fkey') && idx('setval') > idx('orders_product_id_fkey'));
  assert.equal(plan.post.filter((p) => p.startsWith('SELECT setval')).length, 2, 'one for the serial, one for the identity');
  assert.equal(plan.post[plan.post.length - 1], 'CREATE VIEW "public"."big_orders" AS SELECT orders.id FROM public.orders');
});

test('foreign keys whose rows may be incomplete are added NOT VALID: capped parent, uncopied parent; an uncopied child keeps a valid FK', () => {
  const [products, orders] = [catalog.tables[0]!, catalog.tables[1]!];
  assert.deepEqual(planBranch(catalog, [products, orders], new Set(['public.products']), 2).notValid, ['public.orders.orders_product_id_fkey']);
  assert.deepEqual(planBranch(catalog, [orders], new Set(), 2).notValid, ['public.orders.orders_product_id_fkey']);
  assert.deepEqual(planBranch(catalog, [products], new Set(['public.products']), 2).notValid, []);
  assert.ok(planBranch(catalog, [orders], new Set(), 2).post.some((p) => p.endsWith('REFERENCES public.products(id) NOT VALID')));
});

test('copy names resolve to tables (public by default); unknown ones are an error that lists the tables there are', () => {
  const ok = resolveCopyTables(['orders', 'app.audit'], catalog.tables, 'shop');
  assert.ok(ok.ok);
  assert.deepEqual(ok.tables.map((t) => `${t.schema}.${t.name}`), ['public.orders', 'app.audit']);
  const bad = resolveCopyTables(['ordres'], catalog.tables, 'shop');
  // the message goes to the Slice's status, which every developer reads: it names no table of the baseline's catalog
  assert.deepEqual(bad, { ok: false, message: 'data.postgres.copy lists "ordres", which the baseline database "shop" does not have (ask its owners for the table names)', available: 'products, orders, app.audit' });
});

test("a fork's data env variable comes from the slice's data Secret, replacing the baseline's value", () => {
  const ctx: SliceContext = { objectName: 'alice-dev', shortName: 'dev', owner: 'alice', namespace: 'slice-alice-dev', baseline: 'shop', expiresAt: '', quota: { cpu: '1', memory: '1Gi', pods: 5 } };
  const dep: Deployment = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'orders', namespace: 'shop' },
    spec: { selector: { matchLabels: { app: 'orders' } }, template: { metadata: { labels: { app: 'orders' } }, spec: { containers: [{ name: 'orders', image: 'x', env: [{ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'shop-db', key: 'DATABASE_URL' } } }, { name: 'A', value: '1' }] }] } } },
  };
  const r = renderFork(dep, undefined, { workload: 'orders', data: { postgres: { database: 'shop' } } }, ctx, { agentImage: 'agent' });
  assert.ok(r.ok);
  const spec = (r.deployment.spec as { template: { spec: { containers: { name: string; env?: unknown[] }[] } } }).template.spec;
  const env = spec.containers.find((c) => c.name === 'orders')?.env;
  // (the development export delays follow: test/unit/core/slice/forkTelemetry.test.ts)
  assert.deepEqual((env as { name: string }[] | undefined)?.filter((e) => !e.name.startsWith('OTEL_')), [{ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'slice-data-shop', key: 'url' } } }, { name: 'A', value: '1' }]);
  assert.ok(!JSON.stringify(r.deployment).includes('shop-db'), "the baseline's Secret is not referenced by the fork");
});

test("a fork drops the baseline's priority class (finding 4) and rolls when its database is branched again (new password)", () => {
  const ctx: SliceContext = { objectName: 'alice-dev', shortName: 'dev', owner: 'alice', namespace: 'slice-alice-dev', baseline: 'shop', expiresAt: '', quota: { cpu: '1', memory: '1Gi', pods: 5 } };
  const dep = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'orders', namespace: 'shop' },
    spec: { selector: { matchLabels: { app: 'orders' } }, template: { metadata: { labels: { app: 'orders' } }, spec: { priorityClassName: 'system-node-critical', priority: 2000001000, containers: [{ name: 'orders', image: 'x' }] } } },
  } as Deployment;
  const r = renderFork(dep, undefined, { workload: 'orders' }, ctx, { agentImage: 'a', dataRevision: '2026-12-07T10:00:00Z' });
  assert.ok(r.ok);
  const tpl = (r.deployment.spec as { template: { metadata: { annotations?: Record<string, string> }; spec: Record<string, unknown> } }).template;
  assert.equal(tpl.spec.priorityClassName, undefined);
  assert.equal(tpl.spec.priority, undefined);
  assert.equal(tpl.metadata.annotations?.['slice.dev/data-revision'], '2026-12-07T10:00:00Z');
});
