import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import Mocha from 'mocha';

/** The test-electron style entry: VS Code calls run() in the extension host. */
export function run(): Promise<void> {
  // SLICE_IT_GREP narrows the run to matching tests (e.g. "Slices from the editor").
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec', ...(process.env.SLICE_IT_GREP ? { grep: process.env.SLICE_IT_GREP } : {}) });
  for (const f of readdirSync(__dirname).sort()) if (f.endsWith('.test.js')) mocha.addFile(join(__dirname, f));
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const s = runner.stats;
      // The line scripts/test.sh adds up into the run's final count.
      console.log(`integration: ${s?.passes ?? 0} passed, ${failures} failed, ${s?.pending ?? 0} skipped`);
      if (failures > 0) reject(new Error(`${failures} integration test(s) failed.`));
      else resolve();
    });
  });
}
