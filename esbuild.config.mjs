// Builds the extension bundle and the in-container agent bundle; with --tests, transpiles
// src/, test/ and bench/ file by file into out/ for the Node test runner and the extension host.
// Type-checking is separate: `npm run typecheck` (tsc --noEmit).
//
//   node esbuild.config.mjs               development bundles (source maps, not minified)
//   node esbuild.config.mjs --production  minified bundles with source maps
//   node esbuild.config.mjs --watch       rebuild on change
//   node esbuild.config.mjs --tests       bundles + transpiled tests in out/
import * as esbuild from 'esbuild';
import { cpSync, readdirSync, statSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');
const tests = args.has('--tests');

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  minify: production,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': production ? '"production"' : '"development"' },
};

const bundles = [
  { ...common, entryPoints: { extension: 'src/extension.ts' }, outdir: 'dist', external: ['vscode'] },
  // The OTLP decode worker the extension starts (worker_threads): decoding off the extension host's event loop.
  { ...common, entryPoints: { telemetryWorker: 'src/platform/telemetry/decodeWorker.ts' }, outdir: 'dist' },
  // The agent runs with the Node of the sidecar image; it bundles its own dependencies (ws).
  { ...common, entryPoints: { agent: 'src/agent/main.ts' }, outdir: 'dist', external: ['bufferutil', 'utf-8-validate'] },
  // The slice controller runs in the cluster with the node runtime image; it bundles client-node.
  { ...common, entryPoints: { controller: 'src/controller/main.ts' }, outdir: 'dist', external: ['bufferutil', 'utf-8-validate'] },
  // The metrics view's page (a webview: the browser): its script and styles with uPlot's, loaded through asWebviewUri, no CDN.
  { ...common, entryPoints: ['media/metrics/metrics.js', 'media/metrics/metrics.css'], outdir: 'dist/webview', platform: 'browser', format: 'iife', target: 'chrome120' },
];

function listTs(dir) {
  const out = [];
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const p = join(dir, name);
    if (name === 'node_modules' || name === 'fixtures' || name === 'workspace' || name === 'go') continue;
    if (statSync(p).isDirectory()) out.push(...listTs(p));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function printSizes(result) {
  for (const [file, info] of Object.entries(result.metafile.outputs)) {
    if (file.endsWith('.map')) continue;
    console.log(`bundle ${relative('.', file)}: ${(info.bytes / 1024).toFixed(1)} KiB`);
  }
}

if (watch) {
  for (const options of bundles) {
    const ctx = await esbuild.context({ ...options, plugins: [{ name: 'report', setup: (b) => b.onEnd((r) => r.errors.length === 0 && printSizes(r)) }] });
    await ctx.watch();
  }
  console.log('watching for changes…');
} else {
  for (const options of bundles) printSizes(await esbuild.build(options));
  if (tests) {
    rmSync('out', { recursive: true, force: true });
    const entryPoints = [...listTs('src'), ...listTs('test'), ...listTs('bench')];
    await esbuild.build({
      entryPoints,
      outdir: 'out',
      outbase: '.',
      bundle: false,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      sourcemap: 'inline',
      logLevel: 'warning',
    });
    // Files the transpiled sources import at run time (bundles inline them).
    cpSync('media/schema', 'out/media/schema', { recursive: true });
    console.log(`transpiled ${entryPoints.length} files to out/`);
  }
}
