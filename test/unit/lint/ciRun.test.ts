import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// CI must run what a user runs (the README's `npm test`) and nothing a user would not: when CI needs a
// set-up step, the README's command has to do it, or a green CI hides the missing step (issue 18).
// Bringing the local cluster down at the end is allowed.
const root = join(__dirname, '..', '..', '..', '..');

const FORBIDDEN: readonly { readonly pattern: RegExp; readonly what: string }[] = [
  { pattern: /\b(install-deps|install-tools|setup)\.sh\b/, what: 'an install script' },
  { pattern: /\bapt(-get)?\s/, what: 'apt' },
  { pattern: /\bdpkg\s/, what: 'dpkg' },
  { pattern: /\bnpm\s+(ci|install|i|add)\b/, what: 'npm ci/install' },
  { pattern: /\btest\/cluster\/(?!down\.sh\b)[\w./-]+\.sh\b/, what: 'a test/cluster script other than down.sh' },
  { pattern: /\bscripts\/[\w./-]+\.(sh|mjs|js)\b/, what: "a project script (run the README's npm command instead)" },
  { pattern: /\bnpm\s+run\s+(cluster:up|build|package|platform:install|sample:deploy)\b/, what: 'a set-up npm script' },
];

/** The lines of a CI script that call what a user would not run, each with what it is. */
export function forbiddenCalls(script: string): string[] {
  const found: string[] = [];
  script.split('\n').forEach((raw, i) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line) return;
    for (const { pattern, what } of FORBIDDEN) if (pattern.test(line)) found.push(`line ${i + 1} calls ${what}: ${line}`);
  });
  return found;
}

test(".ci/run runs the README's npm test and no install step of its own", () => {
  const script = readFileSync(join(root, '.ci', 'run'), 'utf8');
  assert.deepEqual(forbiddenCalls(script), []);
  assert.match(script.replace(/#.*$/gm, ''), /\bnpm test\b/, '.ci/run runs npm test');
});

test('a CI script that installs or starts things itself is rejected, line by line', () => {
  const bad = [
    '#!/usr/bin/env bash',
    '# comments may name test/cluster/up.sh and npm ci',
    'bash test/cluster/install-deps.sh',
    'bash scripts/install-tools.sh',
    'apt-get install -y chromium',
    'npm ci --no-audit',
    'npm install',
    'bash test/cluster/up.sh',
    'bash scripts/setup.sh',
    'npm run cluster:up',
    'npm test',
    'bash test/cluster/down.sh || true',
  ].join('\n');
  const found = forbiddenCalls(bad);
  assert.deepEqual(found.map((f) => Number(/^line (\d+)/.exec(f)?.[1])), [3, 3, 4, 4, 5, 6, 7, 8, 9, 9, 10]);
  assert.ok(found.some((f) => f.includes('calls an install script: bash test/cluster/install-deps.sh')), JSON.stringify(found));
  assert.deepEqual(forbiddenCalls('npm test 2>&1 | tee .run/ci-test.log\nbash test/cluster/down.sh || true\n'), []);
});
