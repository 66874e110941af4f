// Captures REAL OTLP metrics of the shop for the metric decoders' unit tests: runs the three
// services on loopback ports with their OTLP exporters pointed at a small sink on loopback,
// exporting metrics every second, sends checkouts (good, slow, failing) between two exports,
// stops the services (the last export flushes) and writes the orders service's metric payloads,
// in the order they arrived, for three set-ups:
//   cumulative.<n>.json  OTLP/JSON, cumulative temporality (the SDK's default)
//   cumulative.<n>.pb    OTLP/protobuf, cumulative
//   delta.<n>.json       OTLP/JSON, delta temporality
//   exponential.<n>.json|pb  OTLP/JSON and protobuf of the SDK's exponential histograms (the
//                        services use explicit buckets: this one is a MeterProvider of the same
//                        SDK in this process, a histogram of request-like durations, cumulative)
//
//   node sample/shop/scripts/capture-metrics-fixtures.mjs [OUT_DIR]
//   (default OUT_DIR: test/unit/core/telemetry/metrics/fixtures of the repository)
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2] ?? join(root, '..', '..', 'test', 'unit', 'core', 'telemetry', 'metrics', 'fixtures');
const PORTS = { inventory: 18182, orders: 18181, storefront: 18180 };
const SINK_PORT = 14319;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function startSink() {
  const received = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url, body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': req.headers['content-type'] });
      res.end(req.headers['content-type']?.includes('json') ? '{}' : '');
    });
  });
  return new Promise((resolve) => server.listen(SINK_PORT, '127.0.0.1', () => resolve({ server, received })));
}

function startServices(env) {
  return Object.entries(PORTS).map(([name, port]) =>
    spawn(process.execPath, ['--require', join(root, 'telemetry', 'register.js'), join(root, 'services', name, 'src', 'server.js')], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...process.env,
        ...env,
        PORT: String(port),
        HOST: '127.0.0.1',
        OTEL_SERVICE_NAME: name,
        OTEL_RESOURCE_ATTRIBUTES: 'k8s.namespace.name=shop,k8s.container.name=app',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${SINK_PORT}`,
        OTEL_METRIC_EXPORT_INTERVAL: '1500',
        OTEL_BSP_SCHEDULE_DELAY: '60000',
        OTEL_BLRP_SCHEDULE_DELAY: '60000',
        ORDERS_URL: `http://127.0.0.1:${PORTS.orders}`,
        INVENTORY_URL: `http://127.0.0.1:${PORTS.inventory}`,
        WAREHOUSE_DELAY_MS: '200',
        DATABASE_URL: '',
      },
    }),
  );
}

async function waitReady() {
  for (let i = 0; i < 100; i++) {
    const ok = await Promise.all(Object.values(PORTS).map((p) => fetch(`http://127.0.0.1:${p}/healthz`).then((r) => r.ok, () => false)));
    if (ok.every(Boolean)) return;
    await sleep(100);
  }
  throw new Error('the services did not become ready in 10 s');
}

async function checkouts() {
  for (const path of ['/checkout?sku=book&coupon=SAVE10', '/checkout?sku=bulk-rice', '/checkout?sku=book&coupon=SUMMER23', '/checkout?sku=book']) {
    await (await fetch(`http://127.0.0.1:${PORTS.storefront}${path}`)).text();
  }
}

/** A payload of the orders service: its service.name is in the JSON and in the protobuf bytes alike. */
const ofOrders = (body) => body.includes(Buffer.from('"stringValue":"orders"')) || body.includes(Buffer.from([0x0a, 6, ...Buffer.from('orders')]));

async function capture(prefix, suffix, env) {
  const sink = await startSink();
  const services = startServices(env);
  try {
    await waitReady();
    await checkouts();
    await sleep(2000); // one export with the first requests
    await checkouts();
    await sleep(2000); // a second one: the cumulative counts grew
  } finally {
    for (const s of services) s.kill('SIGTERM');
    await Promise.all(services.map((s) => (s.exitCode === null ? once(s, 'exit') : undefined)));
    sink.server.close();
  }
  const bodies = sink.received.filter((r) => r.path === '/v1/metrics' && ofOrders(r.body)).map((r) => r.body);
  if (bodies.length < 2) throw new Error(`${prefix}: orders sent ${bodies.length} metric payloads (wanted 2 or more)`);
  bodies.slice(0, 3).forEach((b, i) => writeFileSync(join(out, `${prefix}.${i + 1}.${suffix}`), b));
  console.log(`${prefix}.${suffix}: ${bodies.length} payloads from orders, kept ${Math.min(3, bodies.length)}`);
}

mkdirSync(out, { recursive: true });
await capture('cumulative', 'json', { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
await capture('cumulative', 'pb', { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' });
await capture('delta', 'json', { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'delta' });

/** Exponential histograms from the SDK itself, exported twice (cumulative) in each encoding. */
async function captureExponential(suffix) {
  const require = createRequire(join(root, 'package.json'));
  const { MeterProvider, PeriodicExportingMetricReader, AggregationType } = require('@opentelemetry/sdk-metrics');
  const { resourceFromAttributes } = require('@opentelemetry/resources');
  const { OTLPMetricExporter } = suffix === 'json' ? require('@opentelemetry/exporter-metrics-otlp-http') : require('@opentelemetry/exporter-metrics-otlp-proto');
  const sink = await startSink();
  const exporter = new OTLPMetricExporter({ url: `http://127.0.0.1:${SINK_PORT}/v1/metrics` });
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'orders' }),
    readers: [reader],
    views: [{ instrumentName: 'shop.checkout.duration', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM, options: { maxSize: 40 } } }],
  });
  const h = provider.getMeter('slice-sample-shop').createHistogram('shop.checkout.duration', { unit: 'ms' });
  // a fixed spread: most fast, some slow, a few errors
  for (let i = 1; i <= 200; i++) h.record(5 + (i % 20) * 1.5, { 'http.route': '/checkout', error: false });
  for (let i = 1; i <= 10; i++) h.record(400 + i * 10, { 'http.route': '/checkout', error: true });
  await reader.forceFlush();
  for (let i = 1; i <= 100; i++) h.record(0.5 + i * 0.25, { 'http.route': '/checkout', error: false });
  await reader.forceFlush();
  await provider.shutdown();
  sink.server.close();
  const bodies = sink.received.filter((r) => r.path === '/v1/metrics').map((r) => r.body);
  bodies.slice(0, 2).forEach((b, i) => writeFileSync(join(out, `exponential.${i + 1}.${suffix}`), b));
  console.log(`exponential.${suffix}: ${bodies.length} payloads`);
}
await captureExponential('json');
await captureExponential('pb');
const sdk = JSON.parse(readFileSync(join(root, 'node_modules', '@opentelemetry', 'sdk-metrics', 'package.json'), 'utf8')).version;
writeFileSync(join(out, 'capture.json'), JSON.stringify({ capturedWith: `node ${process.version}, @opentelemetry/sdk-metrics ${sdk}`, service: 'orders', script: 'sample/shop/scripts/capture-metrics-fixtures.mjs' }, null, 2) + '\n');
