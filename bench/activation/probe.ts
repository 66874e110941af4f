import { statSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { type SliceApi } from '../../src/container';

/**
 * Runs inside the real extension host (as the payload's extensionTestsPath). Reports:
 * - activate(): the time VS Code's call into the extension took, measured by the extension;
 * - module load: a fresh require() of the production bundle in this same process, 10 times;
 * - baseline: a fresh require() of an empty module the same way (the loader's own floor).
 */
export async function run(): Promise<void> {
  const ext = vscode.extensions.getExtension<SliceApi>('slice-dev.slice');
  if (!ext) throw new Error('slice-dev.slice is not loaded');
  const api = await ext.activate();
  const t0 = performance.now();
  await api.ready;
  const firstLoadMs = performance.now() - t0;
  const bundle = join(ext.extensionPath, 'dist', 'extension.js');
  const empty = join(ext.extensionPath, 'out', 'bench', 'activation', 'empty.js');
  const load = (file: string) => {
    const samples: number[] = [];
    for (let i = 0; i < 10; i++) {
      for (const k of Object.keys(require.cache)) if (k.startsWith(join(ext.extensionPath, 'dist')) || k === file) delete require.cache[k];
      const s = performance.now();
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- measuring a fresh CommonJS load is the point
      require(file);
      samples.push(performance.now() - s);
    }
    samples.sort((a, b) => a - b);
    return { median: samples[5]!, min: samples[0]! };
  };
  const bundleLoad = load(bundle);
  const emptyLoad = load(empty);
  const result = {
    activateMs: api.timings.activateMs,
    moduleLoadMedianMs: bundleLoad.median,
    emptyModuleLoadMedianMs: emptyLoad.median,
    activationMs: api.timings.activateMs + bundleLoad.median,
    firstClusterLoadMs: firstLoadMs,
    bundleBytes: statSync(bundle).size,
  };
  console.log(`SLICE_BENCH ${JSON.stringify(result)}`);
}
