/**
 * The router's nginx configuration, rendered from the route table of one baseline namespace (pure).
 *
 * The router stands in front of every routed baseline Service (the controller points the Service's
 * selector at the router pods and its targetPort at {@link routerPort}); per Service port it listens
 * on its own port, so it never depends on the Host header. Per request:
 * - the key comes from `x-slice-routing-key`, else from the `slice-routing-key` member of `baggage`
 *   (whole keys only: `<slice>.<32 hex>`);
 * - a key in the Service's map goes to that slice's fork Service (by cluster IP, with keep-alive);
 *   a fork that does not answer gets a 503 saying which slice and fork (fallback `error`) or the
 *   baseline as a backup server (fallback `baseline`); a route marked down answers the 503 at once;
 * - anything else goes to the baseline pods, through the origin Service that keeps the Service's
 *   original selector. Method, path, query, body and headers pass unchanged (Host included).
 * Responses that a fork served carry `x-slice-routed: <slice>/<service>`.
 */
import { ROUTING_HEADER, BAGGAGE_MEMBER } from './routingKey';
import { type ServiceRoutes } from './routes';

/** Cluster IPs by `<namespace>/<name>`: the origin Services and the fork Services. */
export type AddressBook = ReadonlyMap<string, string>;

/** The origin Service that keeps a routed Service's original selector (`<name>` → `slice-origin-<name>`, ≤ 63 chars). */
export function originServiceName(service: string): string {
  const name = `slice-origin-${service}`;
  return name.length <= 63 ? name : `slice-origin-${service.slice(0, 50)}`;
}

/**
 * The router port for a Service port: 20000 + a stable hash of `<service>:<port>` in [0, 10000),
 * moved up past ports already taken by earlier (sorted) Services. Same inputs, same ports.
 */
export function routerPorts(table: readonly ServiceRoutes[]): Map<string, number> {
  const taken = new Set<number>();
  const out = new Map<string, number>();
  const ids = table.flatMap((s) => s.baseline.ports.map((p) => `${s.baseline.name}:${p.port}`)).sort();
  for (const id of ids) {
    let port = 20000 + (fnv1a(id) % 10000);
    while (taken.has(port)) port = port === 29999 ? 20000 : port + 1;
    taken.add(port);
    out.set(id, port);
  }
  return out;
}

export function routerPort(ports: ReadonlyMap<string, number>, service: string, port: number): number {
  const p = ports.get(`${service}:${port}`);
  if (p === undefined) throw new Error(`no router port for ${service}:${port}`);
  return p;
}

/** The port where the router answers its own health checks. */
export const ROUTER_HEALTH_PORT = 18080;

/** nginx.conf for the router of one baseline namespace (`table` holds only that namespace's Services). */
export function renderNginxConfig(table: readonly ServiceRoutes[], addresses: AddressBook): string {
  const ports = routerPorts(table);
  const out: string[] = [
    '# Rendered by the slice controller (src/core/routing/nginxConfig.ts): do not edit.',
    'worker_processes 1;',
    'pid /tmp/nginx.pid;',
    'error_log stderr warn;',
    'events { worker_connections 4096; }',
    'http {',
    '  access_log off;',
    '  server_tokens off;',
    // keys are up to ~90 characters: the default bucket (64) cannot hold them
    '  map_hash_bucket_size 256;',
    '  map_hash_max_size 16384;',
    '  client_body_temp_path /tmp/nginx-body;',
    '  proxy_temp_path /tmp/nginx-proxy;',
    '  fastcgi_temp_path /tmp/nginx-fastcgi;',
    '  uwsgi_temp_path /tmp/nginx-uwsgi;',
    '  scgi_temp_path /tmp/nginx-scgi;',
    '  client_max_body_size 0;',
    '  proxy_request_buffering off;',
    '  proxy_buffering off;',
    '  proxy_http_version 1.1;',
    '  proxy_set_header Host $http_host;',
    '  proxy_set_header Connection $slice_upstream_connection;',
    '  proxy_read_timeout 300s;',
    '  proxy_connect_timeout 2s;',
    // keep-alive to upstreams, except for upgrades (WebSocket) which pass through as such
    '  map $http_upgrade $slice_upstream_connection { default upgrade; "" ""; }',
    '  proxy_set_header Upgrade $http_upgrade;',
    `  map $http_baggage $slice_baggage_key {`,
    `    default "";`,
    `    "~(?:^|[,\\s])${BAGGAGE_MEMBER}\\s*=\\s*(?<k>[a-z0-9][-a-z0-9]*\\.[0-9a-f]{32})\\s*(?:[;,]|$)" $k;`,
    '  }',
    `  map $http_${ROUTING_HEADER.replace(/-/g, '_')} $slice_key {`,
    '    "" $slice_baggage_key;',
    `    default $http_${ROUTING_HEADER.replace(/-/g, '_')};`,
    '  }',
    '  server {',
    `    listen ${ROUTER_HEALTH_PORT};`,
    '    location = /healthz { return 200 "ok\\n"; }',
    // the routes this config serves: the controller points a Service at the router only once every router pod answers this
    '    location = /routes { return 200 "ROUTES_DIGEST\\n"; }',
    '  }',
  ];
  table.forEach((svc, i) => {
    const b = svc.baseline;
    const origin = addresses.get(`${b.namespace}/${originServiceName(b.name)}`);
    for (const port of b.ports) {
      const id = `s${i}p${port.port}`;
      const listen = routerPort(ports, b.name, port.port);
      out.push(`  # ${b.namespace}/${b.name} port ${port.port}`);
      out.push(`  upstream ${id}_base { ${origin ? `server ${origin}:${port.port}` : 'server 127.0.0.1:1 down'}; keepalive 32; }`);
      const keyLines: string[] = [];
      const routedLines: string[] = [];
      svc.routes.forEach((r, j) => {
        const fork = addresses.get(`${r.namespace}/${r.service}`);
        const rid = `${id}_r${j}`;
        if (!r.forkReady || !fork) {
          keyLines.push(`    "${r.key}" down_${rid};`);
        } else {
          const backup = r.fallback === 'baseline' && origin ? ` server ${origin}:${port.port} backup;` : '';
          out.push(`  upstream ${rid} { server ${fork}:${port.port} max_fails=0;${backup} keepalive 8; }`);
          keyLines.push(`    "${r.key}" ${rid};`);
        }
        routedLines.push(`    "${r.key}" "${r.slice}/${r.service}";`);
      });
      out.push(`  map $slice_key $${id}_target {`, `    default ${id}_base;`, ...keyLines, '  }');
      out.push(`  map $slice_key $${id}_routed {`, '    default "";', ...routedLines, '  }');
      out.push(`  map $slice_key $${id}_down {`, '    default "";', ...svc.routes.map((r) => `    "${r.key}" ${quote(downMessage(r.slice, r.service, r.downMessage))};`), '  }');
      out.push('  server {');
      out.push(`    listen ${listen};`);
      out.push(`    add_header x-slice-routed $${id}_routed always;`);
      out.push('    default_type application/json;');
      out.push('    location / {');
      out.push(`      if ($${id}_target ~ ^down_) { return 503 $${id}_down; }`);
      out.push(`      error_page 502 504 = @${id}_forkdown;`);
      out.push(`      proxy_pass http://$${id}_target;`);
      out.push('    }');
      out.push(`    location @${id}_forkdown {`);
      out.push(`      if ($${id}_routed = "") { return 502; }`);
      out.push(`      return 503 $${id}_down;`);
      out.push('    }');
      out.push('  }');
    }
  });
  out.push('}', '');
  const text = out.join('\n');
  // the digest of the config with the placeholder in it: the same routes, the same digest
  return text.replace('ROUTES_DIGEST', fnv1a(text).toString(16).padStart(8, '0'));
}

/** What a router pod answers on /routes when it serves `config` (undefined for a config without it). */
export function servedDigest(config: string): string | undefined {
  return /location = \/routes \{ return 200 "([0-9a-f]{8})\\n"; \}/.exec(config)?.[1];
}

function downMessage(slice: string, service: string, why: string | undefined): string {
  return JSON.stringify({ error: `slice routing: the fork of ${service} in slice ${slice} is not answering${why ? ` (${why})` : ''}`, slice, service });
}

/** An nginx string literal in double quotes: `"` and `\` escaped, `$` (which nginx would expand) and control characters dropped. */
function quote(s: string): string {
  const printable = [...s].filter((c) => c !== '$' && c >= ' ').join('');
  return `"${printable.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
