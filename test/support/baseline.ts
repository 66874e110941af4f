import { readFileSync } from 'node:fs';
import { AppsV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { clusterPath, TEST_LABELS } from './clusterDir';

/** The node runtime image of the local cluster (test/cluster writes its name to images.env). */
export function nodeImage(): string {
  const file = clusterPath('images.env');
  return /SLICE_NODE_IMAGE=(\S+)/.exec(readFileSync(file, 'utf8'))?.[1] ?? 'localhost/slice/node:20';
}

/**
 * A baseline namespace with one small HTTP workload (a Deployment, and its Service unless told
 * otherwise) that satisfies Pod Security `restricted`, for tests that fork it into a slice.
 */
export async function createNodeBaseline(admin: KubeConfig, namespace: string, options: { workload?: string; service?: boolean } = {}): Promise<void> {
  const workload = options.workload ?? 'checkout';
  const core = admin.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace, labels: { 'slice.dev/role': 'baseline', ...TEST_LABELS } } } });
  const labels = { app: workload };
  await admin.makeApiClient(AppsV1Api).createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name: workload, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'app',
                image: nodeImage(),
                imagePullPolicy: 'IfNotPresent',
                command: ['node', '-e', "require('http').createServer((q,s)=>s.end('ok')).listen(8080)"],
                ports: [{ containerPort: 8080 }],
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
                resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
              },
            ],
          },
        },
      },
    },
  });
  if (options.service !== false) {
    await core.createNamespacedService({ namespace, body: { metadata: { name: workload }, spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] } } });
  }
}
