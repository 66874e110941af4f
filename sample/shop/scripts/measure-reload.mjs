// Measures "save → new code serving" for the inventory service on this machine, in a temporary copy
// of the app: the in-place reload of lib/run.js (what the pods run) beside a restart by
// `node --watch-path` (the alternative it replaced), same machine, same run. Each save replaces
// stock.js by rename, as the Slice agent writes synced files; the time runs until GET /stock/book
// answers the new price.      node sample/shop/scripts/measure-reload.mjs [SAVES]
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const saves = Number(process.argv[2] || 5);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function measure(label, args, port) {
  const copy = mkdtempSync(join(tmpdir(), 'shop-reload-'));
  for (const d of ['package.json', 'telemetry', 'lib', 'services', 'db']) cpSync(join(root, d), join(copy, d), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
  const child = spawn(process.execPath, args(copy), { env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' }, stdio: 'ignore' });
  const price = () => fetch(`http://127.0.0.1:${port}/stock/book`).then((r) => r.json()).then((b) => b.price, () => undefined);
  try {
    for (let i = 0; i < 300 && (await price()) === undefined; i++) await sleep(50);
    const file = join(copy, 'services', 'inventory', 'src', 'stock.js');
    const times = [];
    for (let n = 1; n <= saves; n++) {
      const next = 100 + n;
      const text = readFileSync(file, 'utf8').replace(/price: [\d.]+, available: 12/, `price: ${next}, available: 12`);
      const t0 = performance.now();
      writeFileSync(`${file}.tmp`, text);
      renameSync(`${file}.tmp`, file);
      while ((await price()) !== next && performance.now() - t0 < 20_000) await sleep(5);
      times.push(performance.now() - t0); // 20 s: the save was not picked up
      await sleep(300);
    }
    const sorted = [...times].sort((a, b) => a - b);
    console.log(`${label}: median ${Math.round(sorted[sorted.length >> 1])} ms, min ${Math.round(sorted[0])} ms, max ${Math.round(sorted.at(-1))} ms over ${saves} saves`);
    return sorted[sorted.length >> 1];
  } finally {
    child.kill('SIGTERM');
    rmSync(copy, { recursive: true, force: true });
  }
}

const inPlace = await measure('lib/run.js (in-place reload)', (c) => ['--require', join(c, 'telemetry', 'register.js'), join(c, 'lib', 'run.js'), join(c, 'services', 'inventory')], 18282);
const restart = await measure('node --watch-path (restart)', (c) => [`--watch-path=${join(c, 'services', 'inventory')}`, '--require', join(c, 'telemetry', 'register.js'), join(c, 'services', 'inventory', 'src', 'server.js')], 18283);
console.log(`restart / in-place: ${(restart / inPlace).toFixed(1)}× (node ${process.version})`);
