// Captures REAL telemetry of the shop for the editor's unit tests: runs the three services on
// loopback ports with their OTLP exporters pointed at a small sink on loopback, sends a good
// checkout, a slow one (bulk item) and a failing one (expired coupon), stops the services (which
// flushes their exporters) and writes what arrived, once as OTLP/JSON and once as OTLP/protobuf:
//
//   node sample/shop/scripts/capture-fixtures.mjs [OUT_DIR]
//   (default OUT_DIR: test/unit/core/telemetry/fixtures/sample-app of the repository)
//
// Also writes each service's stdout (pino JSON lines) and capture.json: the root the services ran
// from, and where each traced function and the throwing line are in the sources, so the tests
// check the decoded locations against the code without re-reading it.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2] ?? join(root, '..', '..', 'test', 'unit', 'core', 'telemetry', 'fixtures', 'sample-app');
const PORTS = { inventory: 18082, orders: 18081, storefront: 18080 };
const SINK_PORT = 14318;

/** The OTLP sink: keeps each request body by path and service. */
function startSink() {
  const received = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url, type: req.headers['content-type'], agent: req.headers['user-agent'], body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': req.headers['content-type'] });
      res.end(req.headers['content-type']?.includes('json') ? '{}' : '');
    });
  });
  return new Promise((resolve) => server.listen(SINK_PORT, '127.0.0.1', () => resolve({ server, received })));
}

function startServices(protocol) {
  return Object.entries(PORTS).map(([name, port]) => {
    const child = spawn(process.execPath, ['--require', join(root, 'telemetry', 'register.js'), join(root, 'services', name, 'src', 'server.js')], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        OTEL_SERVICE_NAME: name,
        OTEL_RESOURCE_ATTRIBUTES: `k8s.namespace.name=shop,k8s.container.name=app`,
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${SINK_PORT}`,
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        // one export per signal at shutdown: one payload per service and signal
        OTEL_BSP_SCHEDULE_DELAY: '60000',
        OTEL_BLRP_SCHEDULE_DELAY: '60000',
        ORDERS_URL: `http://127.0.0.1:${PORTS.orders}`,
        INVENTORY_URL: `http://127.0.0.1:${PORTS.inventory}`,
        WAREHOUSE_DELAY_MS: '400',
        DATABASE_URL: '',
      },
    });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    return { name, child, stdout: () => stdout };
  });
}

async function get(path) {
  const res = await fetch(`http://127.0.0.1:${PORTS.storefront}${path}`);
  return { status: res.status, body: await res.text() };
}

async function waitReady() {
  for (let i = 0; i < 100; i++) {
    const ok = await Promise.all(Object.values(PORTS).map((p) => fetch(`http://127.0.0.1:${p}/healthz`).then((r) => r.ok, () => false)));
    if (ok.every(Boolean)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the services did not become ready in 10 s');
}

/** Line (1-based) of the first line of `file` matching `re`. */
function lineOf(file, re) {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const i = lines.findIndex((l) => re.test(l));
  if (i < 0) throw new Error(`${file}: no line matches ${re}`);
  return i + 1;
}

async function capture(protocol, suffix) {
  const sink = await startSink();
  const services = startServices(protocol);
  try {
    await waitReady();
    const requests = [
      ['/checkout?sku=book&coupon=SAVE10', 200],
      ['/checkout?sku=bulk-rice', 200],
      ['/checkout?sku=book&coupon=SUMMER23', 500],
    ];
    for (const [path, want] of requests) {
      const r = await get(path);
      if (r.status !== want) throw new Error(`GET ${path}: ${r.status} (wanted ${want}): ${r.body}`);
    }
  } finally {
    for (const s of services) s.child.kill('SIGTERM');
    await Promise.all(services.map((s) => (s.child.exitCode === null ? once(s.child, 'exit') : undefined)));
    sink.server.close();
  }
  for (const s of services) {
    for (const signal of ['traces', 'logs']) {
      const bodies = sink.received.filter((r) => r.path === `/v1/${signal}` && r.agent?.includes('OTel') && belongsTo(r, s.name));
      if (bodies.length !== 1) throw new Error(`${s.name} sent ${bodies.length} ${signal} payloads (wanted 1)`);
      writeFileSync(join(out, `${s.name}.${signal}.${suffix}`), bodies[0].body);
    }
    if (suffix === 'json') writeFileSync(join(out, `${s.name}.stdout.log`), s.stdout());
  }
  console.log(`${protocol}: ${sink.received.length} payloads`);
}

/** A payload's service: the service.name string is in the JSON and in the protobuf bytes alike. */
function belongsTo(r, name) {
  return r.body.includes(Buffer.from(`"stringValue":"${name}"`)) || r.body.includes(Buffer.concat([Buffer.from([0x0a, name.length]), Buffer.from(name)]));
}

mkdirSync(out, { recursive: true });
await capture('http/json', 'json');
await capture('http/protobuf', 'pb');
const functions = {
  'services/storefront/src/handlers.js': { checkout: /^async function checkout\(/, home: /^async function home\(/ },
  'services/orders/src/handlers.js': { createOrder: /^ {2}async function createOrder\(/, getOrder: /^ {2}async function getOrder\(/ },
  'services/orders/src/pricing.js': { priceOrder: /^function priceOrder\(/ },
  'services/orders/src/store.js': { saveOrder: /^ {4}async save\(/ },
  'services/inventory/src/handlers.js': { getStock: /^async function getStock\(/ },
  'services/inventory/src/stock.js': { lookupStock: /lookupStock = traced\(/, warehouseLookup: /warehouseLookup = traced\(/ },
};
const meta = {
  capturedWith: `node ${process.version}, ${JSON.parse(readFileSync(join(root, 'node_modules', '@opentelemetry', 'sdk-node', 'package.json'), 'utf8')).version} of @opentelemetry/sdk-node`,
  root,
  functions: Object.fromEntries(Object.entries(functions).flatMap(([file, fns]) => Object.entries(fns).map(([fn, re]) => [fn, { file, line: lineOf(file, re) }]))),
  throwSite: { file: 'services/orders/src/pricing.js', line: lineOf('services/orders/src/pricing.js', /throw new CouponExpiredError/) },
};
writeFileSync(join(out, 'capture.json'), JSON.stringify(meta, null, 2) + '\n');
console.log(`wrote ${relative(process.cwd(), out) || out}`);
