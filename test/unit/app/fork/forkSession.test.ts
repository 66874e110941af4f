import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PayloadRing } from '../../../../src/agent/otlpRing';
import { AgentServer } from '../../../../src/agent/server';
import { type EndReason, type Identity, Lifetime, Lifetimes } from '../../../../src/app/lifetimes';
import { ForkSessions, type ForkTarget, type ForkTransport } from '../../../../src/app/fork/forkSession';
import { TelemetryLink } from '../../../../src/app/fork/telemetryLink';
import { SyncEngine } from '../../../../src/app/sync/syncEngine';
import { type Connection } from '../../../../src/core/agent/transport';
import { nullLogger } from '../../../../src/core/base/logger';
import { PortForwardError } from '../../../../src/core/agent/errors';
import { WsTransport } from '../../../../src/platform/agent-link/wsTransport';
import { FakeWorld } from '../fakeWorld';
import { until } from '../../../support/until';

const TOKEN = 'fork-session-test';
const alice: Identity = { context: 'alice', user: 'alice' };
const target: ForkTarget = { identity: alice, sliceLabel: 'orders', namespace: 'slice-orders', workload: 'web' };

/**
 * The fork's transport, faked (the dependency): the real agent over loopback, counting connects;
 * `refuse` makes every later connect fail as the Kubernetes API does for a deleted slice (403).
 */
class CountingTransport implements ForkTransport {
  connects = 0;
  refused = 0;
  refuse: PortForwardError | undefined;
  disposed = false;
  private readonly ws: WsTransport;
  private readonly open = new Set<Connection>();
  readonly currentPod = 'web-1';
  constructor(port: number) {
    this.ws = new WsTransport({ url: `ws://127.0.0.1:${port}/v1/connect`, token: TOKEN, pingIntervalMs: 0 });
  }
  async connect(): Promise<Connection> {
    if (this.refuse) {
      this.refused++;
      throw this.refuse;
    }
    this.connects++;
    const c = await this.ws.connect();
    this.open.add(c);
    c.onClose(() => this.open.delete(c));
    return c;
  }
  /** The network drops every open connection. */
  cut(): void {
    for (const c of [...this.open]) c.dispose();
  }
  dispose(): void {
    this.disposed = true;
    this.cut();
  }
}

async function withAgent(fn: (rig: { port: number; ring: PayloadRing; local: string; remote: string; agentLog: string[] }) => Promise<void>): Promise<void> {
  const base = mkdtempSync(join(tmpdir(), 'slice-fork-'));
  const local = join(base, 'local');
  const remote = join(base, 'remote');
  mkdirSync(local);
  mkdirSync(remote);
  const ring = new PayloadRing();
  const agentLog: string[] = [];
  const server = new AgentServer({ host: '127.0.0.1', port: 0, token: TOKEN, syncRoot: remote, version: 'test', log: (l) => agentLog.push(l), telemetry: ring, fsync: false });
  const port = await server.listen();
  try {
    await fn({ port, ring, local, remote, agentLog });
  } finally {
    await server.close();
    rmSync(base, { recursive: true, force: true });
  }
}

function sessionsFor(world: FakeWorld, transport: ForkTransport): ForkSessions {
  const lifetimes = new Lifetimes(new Lifetime('extension'), world);
  return new ForkSessions({ lifetimes, transportFor: () => transport, clientName: 'test', requestTimeoutMs: () => 10_000, logger: nullLogger });
}

const connectionsSeen = (agentLog: readonly string[]) => agentLog.filter((l) => l.startsWith('client connected')).length;
const body = (i: number) => new TextEncoder().encode(JSON.stringify({ resourceSpans: [], i }));

test('one fork session: sync and telemetry share one connection (one transport connect, one HELLO, one agent connection)', async () => {
  await withAgent(async ({ port, ring, local, remote, agentLog }) => {
    const world = new FakeWorld(alice, [{ namespace: 'slice-orders', deleting: false }]);
    const transport = new CountingTransport(port);
    const forks = sessionsFor(world, transport);
    const fork = forks.open(target);
    const engine = fork.use('sync').add(new SyncEngine({ link: fork.link, localRoot: local, debounceMs: 0 }));
    const telemetry = fork.use('telemetry').add(new TelemetryLink({ link: fork.link }));
    const payloads: number[] = [];
    telemetry.onPayload((p) => payloads.push((JSON.parse(new TextDecoder().decode(p.body)) as { i: number }).i));
    writeFileSync(join(local, 'app.js'), 'v1');
    engine.start();
    telemetry.start();
    fork.start();
    await engine.flush();
    assert.equal(readFileSync(join(remote, 'app.js'), 'utf8'), 'v1', 'sync works');
    ring.push('traces', 'json', body(1));
    await until('a relayed payload', () => payloads.length === 1);
    writeFileSync(join(local, 'app.js'), 'v2');
    engine.notifyChanged(['app.js']);
    await engine.flush();
    ring.push('traces', 'json', body(2));
    await until('a second payload', () => payloads.length === 2);
    assert.equal(readFileSync(join(remote, 'app.js'), 'utf8'), 'v2');
    assert.equal(transport.connects, 1, 'one port-forward connection');
    assert.equal(fork.link.counts.hellos, 1, 'one HELLO');
    assert.equal(connectionsSeen(agentLog), 1, 'the agent saw one connection');
    // a drop: both resume on the one new connection
    transport.cut();
    ring.push('traces', 'json', body(3));
    await until('the payload after the drop', () => payloads.length === 3);
    writeFileSync(join(local, 'app.js'), 'v3');
    engine.notifyChanged(['app.js']);
    await engine.flush();
    assert.equal(readFileSync(join(remote, 'app.js'), 'utf8'), 'v3');
    assert.equal(transport.connects, 2);
    assert.equal(connectionsSeen(agentLog), 2);
    assert.deepEqual(payloads, [1, 2, 3]);
    forks.dispose();
  });
});

test('the identity changes: the fork session, its sync and its telemetry end quietly, and nothing reconnects', async () => {
  await withAgent(async ({ port, local }) => {
    const world = new FakeWorld(alice, [{ namespace: 'slice-orders', deleting: false }]);
    const transport = new CountingTransport(port);
    const forks = sessionsFor(world, transport);
    const fork = forks.open(target);
    const syncLife = fork.use('sync');
    const engine = syncLife.add(new SyncEngine({ link: fork.link, localRoot: local, debounceMs: 0 }));
    const telemetry = fork.use('telemetry').add(new TelemetryLink({ link: fork.link }));
    const errors: Error[] = [];
    telemetry.onError((e) => errors.push(e));
    const ends: EndReason[] = [];
    forks.onDidEnd(({ reason }) => ends.push(reason));
    engine.start();
    telemetry.start();
    fork.start();
    await engine.flush();
    await until('telemetry streaming', () => telemetry.current === 'streaming');
    world.set({ context: 'bob', user: 'bob' }, []);
    assert.deepEqual(ends.map((r) => r.kind), ['identityChanged']);
    assert.equal(syncLife.endReason?.kind, 'identityChanged');
    assert.equal(engine.state, 'disposed');
    assert.equal(telemetry.current, 'stopped');
    assert.ok(transport.disposed, 'the port-forward is closed');
    assert.equal(forks.all.length, 0);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(transport.connects, 1, 'no reconnect after the end');
    assert.deepEqual(errors, [], 'no error reported');
    assert.throws(() => forks.open(target), /not the selected cluster context/, "alice's fork cannot be opened as bob");
    forks.dispose();
  });
});

test('the slice is deleted: the fork answers 403, the session ends as "slice gone" without a retry or an error', async () => {
  await withAgent(async ({ port, local }) => {
    const world = new FakeWorld(alice, [{ namespace: 'slice-orders', deleting: false }]);
    const transport = new CountingTransport(port);
    const forks = sessionsFor(world, transport);
    const fork = forks.open(target);
    const syncLife = fork.use('sync');
    const engine = syncLife.add(new SyncEngine({ link: fork.link, localRoot: local, debounceMs: 0 }));
    const telemetry = fork.use('telemetry').add(new TelemetryLink({ link: fork.link }));
    const problems: Error[] = [];
    telemetry.onError((e) => problems.push(e));
    engine.start();
    telemetry.start();
    fork.start();
    await engine.flush();
    // the slice's namespace goes (its RoleBinding with it): the next connect is refused with 403
    transport.refuse = new PortForwardError('forbidden', 'you may not list the fork pods in slice-orders (HTTP 403): is this your slice?', 403);
    transport.cut();
    await until('the session to end', () => fork.lifetime.isEnded);
    assert.equal(fork.lifetime.endReason?.kind, 'sliceGone');
    assert.equal(syncLife.endReason?.kind, 'sliceGone');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(transport.refused, 1, 'no retry after the 403');
    assert.equal(transport.connects, 1);
    assert.equal(engine.state, 'disposed');
    // the link told its users why it could not connect (logged); it is not shown as a problem by the app (see liveTelemetrySession)
    assert.ok(problems.every((e) => e instanceof PortForwardError && e.status === 403));
    forks.dispose();
  });
});

test('the slice starts deleting (the watch says so): the session ends before any 403', async () => {
  await withAgent(async ({ port, local }) => {
    const world = new FakeWorld(alice, [{ namespace: 'slice-orders', deleting: false }]);
    const transport = new CountingTransport(port);
    const forks = sessionsFor(world, transport);
    const fork = forks.open(target);
    const engine = fork.use('sync').add(new SyncEngine({ link: fork.link, localRoot: local, debounceMs: 0 }));
    engine.start();
    fork.start();
    await engine.flush();
    world.set(alice, [{ namespace: 'slice-orders', deleting: true }]);
    assert.equal(fork.lifetime.endReason?.kind, 'sliceGone');
    assert.equal(engine.state, 'disposed');
    forks.dispose();
  });
});

test('the session ends with its last user: Stop Sync alone keeps the connection for telemetry', async () => {
  await withAgent(async ({ port, local }) => {
    const world = new FakeWorld(alice, [{ namespace: 'slice-orders', deleting: false }]);
    const transport = new CountingTransport(port);
    const forks = sessionsFor(world, transport);
    const fork = forks.open(target);
    const syncLife = fork.use('sync');
    const engine = syncLife.add(new SyncEngine({ link: fork.link, localRoot: local, debounceMs: 0 }));
    const telLife = fork.use('telemetry');
    const telemetry = telLife.add(new TelemetryLink({ link: fork.link }));
    engine.start();
    telemetry.start();
    fork.start();
    await engine.flush();
    await until('telemetry streaming', () => telemetry.current === 'streaming');
    syncLife.dispose();
    assert.equal(fork.lifetime.isEnded, false);
    assert.equal(telemetry.current, 'streaming');
    assert.equal(forks.open(target), fork, 'the same session is joined');
    telLife.dispose();
    assert.equal(fork.lifetime.endReason?.kind, 'stopped');
    assert.equal(transport.connects, 1);
    forks.dispose();
  });
});
