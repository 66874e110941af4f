// Runs node's test runner on every *.test.js under the given folders, with the Node that runs this
// script: `node scripts/node-test.mjs [node --test options] FOLDER...`. The files are listed here,
// sorted, and passed by name, because the runners differ: Node 20 does not expand a glob such as
// "out/test/unit/**/*.test.js" ("Could not find …"), and Node 22+ no longer searches a folder.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const options = [];
const folders = [];
for (const arg of process.argv.slice(2)) (arg.startsWith('-') ? options : folders).push(arg);
if (folders.length === 0) {
  console.error('usage: node scripts/node-test.mjs [node --test options] FOLDER...');
  process.exit(2);
}

/** @param {string} dir @returns {string[]} */
function testFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    if (name === 'node_modules') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...testFiles(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const files = [];
for (const folder of folders) {
  let found;
  try {
    found = testFiles(folder);
  } catch (e) {
    console.error(`node-test: cannot read ${folder}: ${e instanceof Error ? e.message : String(e)} (build the tests first: node esbuild.config.mjs --tests)`);
    process.exit(1);
  }
  if (found.length === 0) {
    console.error(`node-test: no *.test.js under ${folder} (build the tests first: node esbuild.config.mjs --tests)`);
    process.exit(1);
  }
  files.push(...found);
}
const r = spawnSync(process.execPath, ['--test', ...options, ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
