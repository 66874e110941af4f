import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ANNOTATION_ORIGINAL, ROUTER_SELECTOR, asBeforeRouting, isTakenOver, originalOf, renderOriginService, renderRouterDeployment, restorePatch, routerTable, takeoverPatch, targetsRouterPorts, type LiveService } from '../../../../src/core/routing/routerManifests';
import { renderNginxConfig, routerPorts } from '../../../../src/core/routing/nginxConfig';
import { computeRoutes } from '../../../../src/core/routing/routes';
import { inputs, slice } from './routingFixtures';
import { renderFork } from '../../../../src/core/slice/fork';
import { type Deployment } from '../../../../src/core/slice/k8sTypes';
import { type SliceContext } from '../../../../src/core/slice/manifests';

const orders: LiveService = { metadata: { name: 'orders', namespace: 'shop' }, spec: { selector: { app: 'orders' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } };
const table = computeRoutes(inputs([slice('alice-a', 'alice', [{ workload: 'orders' }])]));

test('taking a Service over points it at the router and keeps what it was; restoring gives that back', () => {
  const patch = takeoverPatch(orders, table) as { metadata: { annotations: Record<string, string> }; spec: { selector: Record<string, string | null>; ports: { targetPort: number }[] } };
  assert.deepEqual(patch.spec.selector, { app: null, ...ROUTER_SELECTOR });
  assert.equal(patch.spec.ports[0]!.targetPort, routerPorts(table).get('orders:80'));
  const saved = JSON.parse(patch.metadata.annotations[ANNOTATION_ORIGINAL]!) as unknown;
  assert.deepEqual(saved, { selector: { app: 'orders' }, targetPorts: { '80': 'http' } });

  // what the API server then holds
  const taken: LiveService = { metadata: { ...orders.metadata, annotations: patch.metadata.annotations }, spec: { selector: { ...ROUTER_SELECTOR }, ports: [{ name: 'http', port: 80, targetPort: patch.spec.ports[0]!.targetPort }] } };
  assert.ok(isTakenOver(taken));
  // taking over again (e.g. after a re-apply) keeps the first original, not the router's selector
  assert.deepEqual(originalOf(taken), saved);
  const back = restorePatch(taken) as { metadata: { annotations: Record<string, string | null> }; spec: { selector: Record<string, string | null>; ports: { targetPort: number | string }[] } };
  assert.deepEqual(back.spec.selector, { 'slice.dev/component': null, 'app.kubernetes.io/name': null, app: 'orders' });
  assert.equal(back.spec.ports[0]!.targetPort, 'http');
  assert.equal(back.metadata.annotations[ANNOTATION_ORIGINAL], null);
  // the origin Service serves the original pods on the original target ports
  const origin = renderOriginService(taken) as unknown as { metadata: { name: string }; spec: { selector: Record<string, string>; ports: { targetPort: number | string }[] } };
  assert.equal(origin.metadata.name, 'slice-origin-orders');
  assert.deepEqual(origin.spec.selector, { app: 'orders' });
  assert.equal(origin.spec.ports[0]!.targetPort, 'http');
});

test('the router Deployment is Pod Security restricted, has no token, and does not change when routes change', () => {
  const d = renderRouterDeployment('shop', { image: 'localhost/slice/router:x' }) as unknown as { spec: { template: { spec: { automountServiceAccountToken: boolean; securityContext: { runAsNonRoot: boolean; seccompProfile: { type: string } }; containers: { securityContext: { allowPrivilegeEscalation: boolean; readOnlyRootFilesystem: boolean; capabilities: { drop: string[] } } }[] } } } };
  const pod = d.spec.template.spec;
  assert.equal(pod.automountServiceAccountToken, false);
  assert.equal(pod.securityContext.runAsNonRoot, true);
  assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault');
  const c = pod.containers[0]!.securityContext;
  assert.deepEqual([c.allowPrivilegeEscalation, c.readOnlyRootFilesystem, c.capabilities.drop], [false, true, ['ALL']]);
  assert.deepEqual(renderRouterDeployment('shop', { image: 'localhost/slice/router:x' }), d);
});

test('a fork of a Service the router took over copies what the Service was, not the router selector', () => {
  const patch = takeoverPatch(orders, table) as { metadata: { annotations: Record<string, string> }; spec: { ports: { targetPort: number }[] } };
  const taken = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'orders', namespace: 'shop', annotations: { ...patch.metadata.annotations, keep: 'x' } }, spec: { selector: { ...ROUTER_SELECTOR }, ports: [{ name: 'http', port: 80, targetPort: patch.spec.ports[0]!.targetPort }] } };
  assert.deepEqual(asBeforeRouting(taken).spec, { selector: { app: 'orders' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] });
  assert.deepEqual(asBeforeRouting(taken).metadata.annotations, { keep: 'x' });
  const ctx: SliceContext = { objectName: 'alice-a', shortName: 'a', owner: 'alice', namespace: 'slice-alice-a', baseline: 'shop', expiresAt: '', quota: { cpu: '2', memory: '2Gi', pods: 10 } };
  const baseline: Deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'orders', namespace: 'shop' }, spec: { selector: { matchLabels: { app: 'orders' } }, template: { metadata: { labels: { app: 'orders' } }, spec: { containers: [{ name: 'app', image: 'shop:1' }] } } } };
  const r = renderFork(baseline, taken, { workload: 'orders' }, ctx, { agentImage: 'agent:1' });
  assert.ok(r.ok && r.service);
  const spec = (r.service as unknown as { spec: { selector: Record<string, string>; ports: { targetPort?: number | string }[] } }).spec;
  assert.deepEqual(spec.selector, { app: 'orders' });
  assert.equal(spec.ports[0]!.targetPort, 'http');
});

test('a Service the router took over stays in its table with no routes: the router keeps listening and sends it all to the origin', () => {
  const patch = takeoverPatch(orders, table) as { metadata: { annotations: Record<string, string> }; spec: { ports: { targetPort: number }[] } };
  const taken: LiveService = { metadata: { ...orders.metadata, annotations: patch.metadata.annotations }, spec: { selector: { ...ROUTER_SELECTOR }, ports: [{ name: 'http', port: 80, targetPort: patch.spec.ports[0]!.targetPort }] } };
  const ordersService = { namespace: 'shop', name: 'orders', ports: [{ name: 'http', port: 80 }] };
  // the last slice went away: nothing routes orders
  const idle = routerTable([], [ordersService]);
  assert.deepEqual(idle, [{ baseline: ordersService, routes: [] }]);
  assert.ok(targetsRouterPorts(taken, idle), 'the Service still targets the port the router listens on');
  const conf = renderNginxConfig(idle, new Map([['shop/slice-origin-orders', '10.96.0.9']]));
  assert.match(conf, new RegExp(`listen ${patch.spec.ports[0]!.targetPort};`));
  assert.match(conf, /upstream s0p80_base \{ server 10\.96\.0\.9:80;/);
  // routed again: the routed entry is used, not a second one
  const routed = routerTable(table, [ordersService]);
  assert.equal(routed.length, 1);
  assert.equal(routed[0]!.routes.length, 1);
  // a Service whose port moved (another Service's port took its hash) is pointed at the new port
  const moved: LiveService = { ...taken, spec: { ...taken.spec, ports: [{ name: 'http', port: 80, targetPort: 1 }] } };
  assert.ok(!targetsRouterPorts(moved, idle));
});
