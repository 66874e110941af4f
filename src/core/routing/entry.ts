/**
 * The slice's entry into the baseline (pure): a small nginx in the slice namespace (the router image)
 * that forwards every request to the baseline's entry Service with the slice's routing key added
 * (header and baggage member). The editor reaches it through a port-forward, which the owner may
 * open in their own namespace (developers cannot port-forward into baseline namespaces): Send
 * Request through the baseline and the browser tab "through my slice" both go this way, so no
 * browser extension and no key in the editor's hands are needed.
 *
 * The baseline names its entry with the namespace annotation `slice.dev/entry: <service>[:<port>]`
 * (the sample: `storefront`).
 */
import { type KubeObject } from '../slice/k8sTypes';
import { BAGGAGE_MEMBER, ROUTING_HEADER } from './routingKey';

export const ENTRY_NAME = 'slice-entry';
export const ENTRY_PORT = 8080;
export const ENTRY_HEALTH_PORT = 18080;
export const ANNOTATION_ENTRY = 'slice.dev/entry';
export const ENTRY_SELECTOR = { 'slice.dev/component': 'entry', 'app.kubernetes.io/name': ENTRY_NAME } as const;

export interface EntryTarget {
  /** The baseline namespace and its entry Service. */
  readonly namespace: string;
  readonly service: string;
  /** The Service's cluster IP and port. */
  readonly clusterIP: string;
  readonly port: number;
}

/** `storefront` or `storefront:8080` → service and port (undefined port: the Service's first). */
export function parseEntryAnnotation(value: string | undefined): { service: string; port?: number } | undefined {
  const m = /^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(?::(\d{1,5}))?$/.exec(value?.trim() ?? '');
  if (!m?.[1]) return undefined;
  return m[3] ? { service: m[1], port: Number(m[3]) } : { service: m[1] };
}

export function renderEntryConfig(key: string, target: EntryTarget): string {
  return [
    '# Rendered by the slice controller (src/core/routing/entry.ts): do not edit.',
    'worker_processes 1;',
    'pid /tmp/nginx.pid;',
    'error_log stderr warn;',
    'events { worker_connections 256; }',
    'http {',
    '  access_log off;',
    '  server_tokens off;',
    '  client_body_temp_path /tmp/nginx-body;',
    '  proxy_temp_path /tmp/nginx-proxy;',
    '  fastcgi_temp_path /tmp/nginx-fastcgi;',
    '  uwsgi_temp_path /tmp/nginx-uwsgi;',
    '  scgi_temp_path /tmp/nginx-scgi;',
    '  client_max_body_size 0;',
    '  proxy_buffering off;',
    '  proxy_http_version 1.1;',
    `  upstream entry { server ${target.clusterIP}:${target.port}; keepalive 8; }`,
    `  server { listen ${ENTRY_HEALTH_PORT}; location = /healthz { return 200 "ok\\n"; } }`,
    '  server {',
    `    listen ${ENTRY_PORT};`,
    '    location / {',
    '      proxy_set_header Host $http_host;',
    '      proxy_set_header Connection "";',
    `      proxy_set_header ${ROUTING_HEADER} "${key}";`,
    `      proxy_set_header baggage "${BAGGAGE_MEMBER}=${key}";`,
    '      proxy_pass http://entry;',
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');
}

const labels = { 'app.kubernetes.io/managed-by': 'slice-controller', ...ENTRY_SELECTOR };

export function renderEntry(namespace: string, key: string, target: EntryTarget, image: string): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ENTRY_NAME, namespace, labels }, data: { 'nginx.conf': renderEntryConfig(key, target) } } as KubeObject,
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: ENTRY_NAME, namespace, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: ENTRY_SELECTOR },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            terminationGracePeriodSeconds: 2,
            securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'nginx',
                image,
                imagePullPolicy: 'IfNotPresent',
                args: ['/etc/slice-router/nginx.conf'],
                ports: [{ name: 'http', containerPort: ENTRY_PORT }, { name: 'health', containerPort: ENTRY_HEALTH_PORT }],
                readinessProbe: { httpGet: { path: '/healthz', port: 'health' }, periodSeconds: 2 },
                securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '200m', memory: '64Mi' } },
                volumeMounts: [
                  { name: 'config', mountPath: '/etc/slice-router', readOnly: true },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volumes: [
              { name: 'config', configMap: { name: ENTRY_NAME } },
              { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
            ],
          },
        },
      },
    } as KubeObject,
  ];
}
