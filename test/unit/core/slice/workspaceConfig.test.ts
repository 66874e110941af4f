import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWorkspaceConfig, toForkSpecs } from '../../../../src/core/slice/workspaceConfig';

const good = `# the checkout team's slice
baseline: shop
ttl: 4h
resources:
  cpu: "2"
  memory: 2Gi
  pods: 10
forks:
  - workload: checkout
    container: app
    sync:
      local: services/checkout
      container: /app
    restart: ["kill", "-HUP", "1"]
    env:
      LOG_LEVEL: debug
`;

test('a valid slice.yaml parses into the fork specs of the Slice resource', () => {
  const r = parseWorkspaceConfig(good);
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(r.config.baseline, 'shop');
  assert.deepEqual(toForkSpecs(r.config), [
    { workload: 'checkout', container: 'app', syncPath: '/app', restartCommand: ['kill', '-HUP', '1'], env: [{ name: 'LOG_LEVEL', value: 'debug' }] },
  ]);
});

function problems(text: string) {
  const r = parseWorkspaceConfig(text);
  assert.equal(r.ok, false, 'expected problems');
  return r.ok ? [] : r.problems;
}

test('a missing required field points at the mapping that lacks it', () => {
  const [p, ...rest] = problems('baseline: shop\nforks:\n  - container: app\n');
  assert.equal(rest.length, 0);
  assert.equal(p!.message, 'forks[0]: missing required field `workload`.');
  assert.equal(p!.range.startLine, 3);
});

test('an unknown field is named, with a suggestion, on its own line', () => {
  const [p] = problems('baseline: shop\nforks:\n  - workload: checkout\n    contianer: app\n');
  assert.equal(p!.message, 'forks[0]: unknown field `contianer` (did you mean `container`?).');
  assert.deepEqual([p!.range.startLine, p!.range.startColumn], [4, 5]);
});

test('bad values say what a good one looks like, at their line', () => {
  const ps = problems('baseline: Shop_1\nttl: 4 hours\nresources:\n  memory: lots\nforks:\n  - workload: checkout\n    sync:\n      local: svc\n      container: app\n');
  const byLine = new Map(ps.map((p) => [p.range.startLine, p.message]));
  assert.match(byLine.get(1)!, /^baseline: must be a Kubernetes name/);
  assert.equal(byLine.get(2), 'ttl: must be a duration like 90m, 4h or 2d.');
  assert.equal(byLine.get(4), 'resources.memory: must be a memory quantity like "512Mi" or "2Gi".');
  assert.equal(byLine.get(9), 'forks[0].sync.container: must be an absolute path in the container, like /app.');
});

test('type errors and empty lists', () => {
  const ps = problems('baseline: shop\nforks: []\nresources:\n  pods: "ten"\n');
  assert.ok(ps.some((p) => p.message === 'forks: needs at least 1 item(s).' && p.range.startLine === 2));
  assert.ok(ps.some((p) => p.message === 'resources.pods: must be a whole number.' && p.range.startLine === 4));
});

test('YAML syntax errors and duplicate keys are reported with their position', () => {
  const [syntax] = problems('baseline: shop\nforks:\n  - workload: [unclosed\n');
  assert.match(syntax!.message, /^YAML: /);
  const [dup] = problems('baseline: shop\nbaseline: other\nforks:\n  - workload: a\n');
  assert.match(dup!.message, /^YAML: .*unique/i);
  assert.equal(dup!.range.startLine, 2);
});

test('semantic rules: each workload once, sync paths inside the workspace', () => {
  const ps = problems('baseline: shop\nforks:\n  - workload: a\n  - workload: a\n    sync: { local: ../elsewhere, container: /app }\n  - workload: b\n    sync: { local: /abs, container: /app }\n');
  assert.ok(ps.some((p) => p.message.startsWith('forks[1]: "a" is already forked by forks[0]') && p.range.startLine === 4));
  assert.ok(ps.some((p) => p.message.includes('leaves the workspace folder') && p.range.startLine === 5));
  assert.ok(ps.some((p) => p.message.includes('must be relative to the workspace folder') && p.range.startLine === 7));
});

test('an empty file says what it needs', () => {
  const [p] = problems('# nothing yet\n');
  assert.match(p!.message, /empty: it needs at least `baseline` and `forks`/);
});

test('a fork declares its database: data.postgres goes into the Slice spec', () => {
  const r = parseWorkspaceConfig(`baseline: shop
forks:
  - workload: orders
    data:
      postgres: { database: shop, env: DATABASE_URL, copy: [orders, products], rowCap: 500 }
`);
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(toForkSpecs(r.config), [{ workload: 'orders', data: { postgres: { database: 'shop', env: 'DATABASE_URL', copy: ['orders', 'products'], rowCap: 500 } } }]);
});

test('data.postgres mistakes are explained at their line', () => {
  const msgs = (text: string) => {
    const r = parseWorkspaceConfig(text);
    return r.ok ? r.warnings.map((w) => `${w.range.startLine}: ${w.message}`) : r.problems.map((p) => `${p.range.startLine}: ${p.message}`);
  };
  const head = 'baseline: shop\nforks:\n  - workload: orders\n    data:\n      postgres:\n';
  assert.deepEqual(msgs(`${head}        env: DATABASE_URL\n`), ['5: forks[0].data.postgres: missing required field `database`.']);
  assert.deepEqual(msgs(`${head}        database: "shop; drop"\n`), ['6: forks[0].data.postgres.database: must be a database name: letters, digits, _ and -, starting with a letter or _.']);
  assert.deepEqual(msgs(`${head}        database: shop\n        copy: ["orders; --"]\n`), ['7: forks[0].data.postgres.copy[0]: must be a table name, `orders` or `schema.orders`.']);
  assert.deepEqual(msgs(`${head}        database: shop\n        rowCap: -1\n`), ['7: forks[0].data.postgres.rowCap: must be >= 0.']);
  assert.deepEqual(msgs(`${head}        database: shop\n        rowcap: 5\n`), ['7: forks[0].data.postgres: unknown field `rowcap` (did you mean `rowCap`?).']);
  assert.deepEqual(msgs(`${head}        database: shop\n    env:\n      DATABASE_URL: postgres://x\n`), ['8: forks[0].env.DATABASE_URL: replaced by the URL of the slice\'s own database (data.postgres); remove it here.']);
});
