import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { nodeImage } from '../support/baseline';
import { TEST_LABELS } from '../support/clusterDir';
import { adminAndAlice, clusterKubeconfigs, removeSlice } from './cluster';
import { Steps, repoRoot as root, runScenario, withWorkbench } from './harness';
import { quickOpen } from './workbenchHelpers';

/**
 * OOMKilled as a Problem in the real workbench, as alice on the local cluster: her slice forks a
 * workload whose container allocates past its 64 Mi limit; the fork is OOM-killed, and the Problems
 * panel says so in words on the fork's `workload:` line of the workspace's slice.yaml (read from the
 * cluster by the editor's fork resource watch). Pictures: media/screenshots/oom-problem.png, and
 * the whole page in .run/e2e-resource-problems/screenshots.
 *
 *   source scripts/env.sh && node esbuild.config.mjs --tests
 *   npx --no-install vsce package --no-dependencies --no-rewrite-relative-links --out dist/slice.vsix
 *   node out/test/e2e/resourceProblems.e2e.js
 */
const HOG = "const a=[];setInterval(()=>a.push(Buffer.alloc(8<<20,1)),20);require('http').createServer((q,s)=>s.end('ok')).listen(8080)";
const SLICE = 'alice-oom';

async function main(): Promise<number> {
  const steps = new Steps();
  const kube = clusterKubeconfigs();
  if (!kube) {
    steps.skip('OOMKilled as a Problem in the workbench', 'no local cluster (npm run cluster:up)');
    return steps.summary('e2e-resource-problems');
  }
  const { admin, alice } = adminAndAlice(kube);
  const id = Date.now().toString(36);
  const baseline = `e2e-oom-${id}`;
  const workspace = mkdtempSync(join(tmpdir(), 'slice-e2e-oom-'));
  writeFileSync(join(workspace, 'slice.yaml'), `# The hog allocates 8 MiB every 20 ms: its 64 Mi limit does not hold it.\nbaseline: ${baseline}\nname: oom\nttl: 1h\nforks:\n  - workload: hog\n`);
  await removeSlice(admin, SLICE);
  const core = admin.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: baseline, labels: { 'slice.dev/role': 'baseline', ...TEST_LABELS } } } });
  const labels = { app: 'hog' };
  await admin.makeApiClient(AppsV1Api).createNamespacedDeployment({
    namespace: baseline,
    body: {
      metadata: { name: 'hog', labels },
      spec: {
        replicas: 0,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [{
              name: 'hog', image: nodeImage(), imagePullPolicy: 'IfNotPresent', command: ['node', '-e', HOG], ports: [{ containerPort: 8080 }],
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
            }],
          },
        },
      },
    },
  });
  const kubeconfigFile = join(workspace, '..', `alice-${id}.kubeconfig`);
  writeFileSync(kubeconfigFile, alice.exportConfig());
  const media = join(root, 'media', 'screenshots');
  mkdirSync(media, { recursive: true });

  try {
    await withWorkbench({ name: 'e2e-resource-problems', settings: { 'slice.kubeconfig': kubeconfigFile, 'editor.minimap.enabled': false } }, async (wb) => {
      const { page, shot, onFail } = wb;
      wb.installExtension();

      const opened = await steps.step('alice\'s slice forks the hog; the workbench opens her workspace and its slice.yaml', async () => {
        await alice.makeApiClient(CustomObjectsApi).createClusterCustomObject({
          group: 'slice.dev', version: 'v1alpha1', plural: 'slices',
          body: { apiVersion: 'slice.dev/v1alpha1', kind: 'Slice', metadata: { name: SLICE, labels: { ...TEST_LABELS } }, spec: { owner: 'alice', baseline, ttl: '1h', forks: [{ workload: 'hog' }] } },
        });
        await wb.open(workspace);
        await wb.openSliceView();
        await quickOpen(page, 'slice.yaml');
        await page.locator('.tabs-container .tab', { hasText: 'slice.yaml' }).waitFor({ timeout: 15_000 });
      }, onFail);

      if (opened) {
        await steps.step('the Problems panel says the fork was OOMKilled, in words, on its workload line', async () => {
          await page.keyboard.press('Control+Shift+M');
          const problem = page.locator('.markers-panel .monaco-list-row', { hasText: 'hog was killed for using more than its 64 Mi memory limit' }).first();
          // the fork is killed a few seconds after it starts; the watch reads every 30 s and when the slice appears
          await problem.waitFor({ timeout: 150_000 });
          const text = await problem.innerText();
          if (!/\[Ln 6, Col 15\]/.test(text)) throw new Error(`the Problem is not on the workload line: ${text}`);
          await page.mouse.move(1200, 200);
          await page.waitForTimeout(500);
          await shot('30-oom-problem');
          await page.screenshot({ path: join(media, 'oom-problem.png') });
        }, onFail);
      }
    });
  } finally {
    await removeSlice(admin, SLICE);
    await core.deleteNamespace({ name: baseline }).catch(() => undefined);
  }
  return steps.summary('e2e-resource-problems');
}

runScenario('e2e-resource-problems', main);
