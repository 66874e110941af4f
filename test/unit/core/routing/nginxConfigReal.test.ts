// The rendered router config, checked by the real nginx the router image ships (Debian's package,
// from the cache router-image.sh fills): realistic keys (a long slice name and 32 hex digits), many
// slices, a down fork. Skipped, saying why, where that package has not been downloaded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderNginxConfig, servedDigest } from '../../../../src/core/routing/nginxConfig';
import { renderEntryConfig } from '../../../../src/core/routing/entry';
import { computeRoutes } from '../../../../src/core/routing/routes';
import { inputs, slice } from './routingFixtures';

const debs = join(process.env.SLICE_CACHE_DIR ?? join(homedir(), '.cache', 'slice'), 'cluster', 'debs');
const deb = existsSync(debs) ? readdirSync(debs).find((f) => /^nginx_.*\.deb$/.test(f)) : undefined;

function nginxTest(conf: string): { ok: boolean; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'slice-nginx-'));
  try {
    execFileSync('dpkg-deb', ['-x', join(debs, deb!), join(dir, 'root')]);
    const path = join(dir, 'nginx.conf');
    writeFileSync(path, conf.replaceAll('/tmp/', `${dir}/`));
    const r = spawnSync(join(dir, 'root/usr/sbin/nginx'), ['-t', '-q', '-c', path, '-p', dir, '-e', 'stderr'], { encoding: 'utf8' });
    return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const skip = deb ? false : `no nginx package in ${debs} (test/cluster/images/router-image.sh downloads it)`;

test('nginx accepts the router config with realistic keys, many slices and a down fork', { skip }, () => {
  const names = Array.from({ length: 12 }, (_, i) => `developer${i}-a-rather-long-slice-name-${i}`);
  const slices = names.map((n, i) => slice(n, `developer${i}`, [{ workload: 'orders' }, { workload: 'inventory' }], i === 3 ? { phase: 'Provisioning', conditions: ['NamespaceReady', 'PoliciesReady'].map((type) => ({ type: type as 'NamespaceReady', status: 'True' as const, reason: '', message: '', lastTransitionTime: '' })), forks: [{ workload: 'orders', ready: false, replicas: 1, availableReplicas: 0, service: 'orders', message: 'container "app" keeps crashing: "$x" }' }] } : {}));
  const table = computeRoutes(inputs(slices));
  const addresses = new Map<string, string>([['shop/slice-origin-orders', '10.96.0.10'], ['shop/slice-origin-inventory', '10.96.0.11'], ...names.flatMap((n, i) => [[`slice-${n}/orders`, `10.96.1.${i}`], [`slice-${n}/inventory`, `10.96.2.${i}`]] as [string, string][])]);
  const conf = renderNginxConfig(table, addresses);
  assert.ok(names.every((n) => conf.includes(`"${n}.`)), 'every slice has its key in the config');
  const r = nginxTest(conf);
  assert.ok(r.ok, r.out);
  assert.match(servedDigest(conf) ?? '', /^[0-9a-f]{8}$/);
  assert.notEqual(servedDigest(conf), servedDigest(renderNginxConfig(table.slice(1), addresses)));
});

test('nginx accepts the entry config', { skip }, () => {
  const r = nginxTest(renderEntryConfig(`developer0-a-rather-long-slice-name-0.${'a'.repeat(32)}`, { namespace: 'shop', service: 'storefront', clusterIP: '10.96.0.20', port: 80 }));
  assert.ok(r.ok, r.out);
});
