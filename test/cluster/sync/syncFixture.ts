// Shared setup of the sync suites: a baseline + one Slice as alice with a fork of `web`, a
// SyncEngine through the real port-forward as alice, and the container's files seen from inside.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { type ILogger } from '../../../src/core/base/logger';
import { SyncEngine, type SyncEngineOptions } from '../../../src/app/sync/syncEngine';
import { type Transport } from '../../../src/core/agent/transport';
import { PortForwardTransport } from '../../../src/platform/agent-link/portForwardTransport';
import { alice, cleanup, createBaseline, createSlice, forkPod, sliceBody, waitForPhase } from '../slices/sliceFixture';
import { execIn } from '../smoke/helpers';

export const AGENT = 'slice-agent';
export const ROOT = '/slice-src';

const TREE = [
  "const fs=require('fs'),c=require('crypto'),p=require('path');const out={};",
  "const walk=(d,r)=>{for(const n of fs.readdirSync(d).sort()){if(/^\\.slice-[0-9a-f]{16}\\.tmp$/.test(n))continue;const f=p.join(d,n),rel=r?r+'/'+n:n,st=fs.lstatSync(f);",
  "if(st.isDirectory())walk(f,rel);else if(st.isFile())out[rel]=c.createHash('sha256').update(fs.readFileSync(f)).digest('hex')+':'+(st.mode&0o777).toString(8)}};",
  'walk(process.argv[1],"");process.stdout.write(JSON.stringify(out))',
].join('');

/** Resolves like `p`, or fails after `ms` saying what it waited for (an engine retries forever). */
export async function within<T>(what: string, p: Promise<T>, ms = 90_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export interface SyncSliceOptions {
  /** The slice's name after "alice-" (default `sync<id>`). */
  readonly name?: (id: string) => string;
  /** The forked workload (default `web`, the baseline's node app). */
  readonly workload?: string;
  /** Extra baseline workloads, e.g. one whose image holds files at the sync path. */
  readonly extraWorkloads?: Parameters<typeof createBaseline>[1];
}

export class SyncSlice {
  readonly id = randomBytes(3).toString('hex');
  readonly baseline = `slice-test-baseline-${this.id}`;
  readonly suffix: string;
  readonly sliceName: string;
  readonly namespace: string;
  readonly workload: string;
  readonly local = mkdtempSync(join(tmpdir(), 'slice-cluster-sync-'));
  readonly logs: string[] = [];
  private readonly owned: { dispose(): void }[] = [];
  /** Files the fork's image put into the sync root before any sync (not ours to compare). */
  seed = new Set<string>();

  readonly logger: ILogger = {
    trace: () => undefined,
    debug: () => undefined,
    info: (m) => this.logs.push(`info ${m}`),
    warn: (m) => this.logs.push(`warn ${m}`),
    error: (m) => this.logs.push(`error ${String(m)}`),
  };

  constructor(private readonly options: SyncSliceOptions = {}) {
    this.suffix = options.name?.(this.id) ?? `sync${this.id}`;
    this.sliceName = `alice-${this.suffix}`;
    this.namespace = `slice-${this.sliceName}`;
    this.workload = options.workload ?? 'web';
  }

  async up(): Promise<void> {
    await createBaseline(this.baseline, this.options.extraWorkloads);
    await createSlice(alice, sliceBody('alice', this.suffix, this.baseline, [{ workload: this.workload }], { ttl: '1h' }));
    await waitForPhase(this.sliceName, ['Ready'], 180_000);
    this.seed = new Set(Object.keys(await this.containerTree()));
  }

  async down(): Promise<void> {
    for (const d of this.owned.splice(0)) d.dispose();
    rmSync(this.local, { recursive: true, force: true });
    await cleanup([this.sliceName], this.baseline);
  }

  transport(workload = this.workload, kc = alice, namespace = this.namespace): PortForwardTransport {
    return this.own(new PortForwardTransport({ kubeConfig: kc, namespace, workload, logger: this.logger, requestTimeoutMs: 10_000, pingIntervalMs: 2000 }));
  }

  /** An engine through `transport` (or `via`, a wrapper of it that injects faults). */
  engine(transport: PortForwardTransport, options: Partial<SyncEngineOptions> = {}, via: Transport = transport): SyncEngine {
    const engine = this.own(new SyncEngine({ transport: via, localRoot: this.local, backoff: { initialMs: 100, maxMs: 1500 }, logger: this.logger, requestTimeoutMs: 20_000, ...options }));
    engine.podOf = () => transport.currentPod;
    this.own(engine.onConnected((w) => this.logs.push(`info ${w.description}`)));
    this.own(transport.onWaiting((m) => this.logs.push(`info waiting: ${m}`)));
    return engine;
  }

  own<T extends { dispose(): void }>(d: T): T {
    this.owned.push(d);
    return d;
  }

  async pod(): Promise<string> {
    return (await forkPod(this.namespace, this.workload)).metadata!.name!;
  }

  /** path → sha256:mode of every file in the sync root, read inside the agent container as alice. */
  async containerTree(): Promise<Record<string, string>> {
    const r = await execIn(alice, this.namespace, await this.pod(), AGENT, ['node', '-e', TREE, ROOT]);
    if (r.status !== 'Success') throw new Error(`exec failed: ${r.message} ${r.stderr}`);
    return JSON.parse(r.stdout) as Record<string, string>;
  }

  /** The container's files without the image's seed files. */
  async synced(): Promise<Map<string, string>> {
    const tree = await this.containerTree();
    return new Map(Object.entries(tree).filter(([p]) => !this.seed.has(p)).sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  dumpLogs(): string {
    return this.logs.slice(-40).join('\n');
  }
}
