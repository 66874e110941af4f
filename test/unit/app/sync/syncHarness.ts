import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { AgentServer } from '../../../../src/agent/server';
import { type HookConfig } from '../../../../src/core/agent/messages';
import { SyncEngine, type SyncEngineOptions } from '../../../../src/app/sync/syncEngine';
import { WsTransport } from '../../../../src/platform/agent-link/wsTransport';

export const TOKEN = 'test-slice-token';

/** Files of a tree (not following symlinks), path → sha256:mode; `skip` filters top-level names. */
export function treeState(root: string, skip: (path: string) => boolean = () => false): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (skip(r)) continue;
      const p = join(dir, name);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p, r);
      else if (st.isFile()) out.set(r, `${createHash('sha256').update(readFileSync(p)).digest('hex')}:${(st.mode & 0o777).toString(8)}`);
    }
  };
  walk(root, '');
  return out;
}

/** Like treeState but also mtimes: proves nobody wrote a file. */
export function touchState(root: string): string {
  const h = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const st = lstatSync(p);
      h.update(`${p}|${st.mode}|${st.size}|${st.mtimeMs}\n`);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) h.update(readFileSync(p));
    }
  };
  walk(root);
  return h.digest('hex');
}

export function write(root: string, path: string, content: string | Uint8Array, mode?: number): void {
  const p = join(root, path);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, content);
  if (mode !== undefined) chmodSync(p, mode);
}

/** A deterministic tree: nested dirs, text and binary files, an executable, ignored files. */
export function generateTree(root: string, files: number, seed = 1): string[] {
  let x = seed;
  const rnd = () => ((x = (x * 1103515245 + 12345) & 0x7fffffff), x / 0x7fffffff);
  const paths: string[] = [];
  for (let i = 0; i < files; i++) {
    const depth = Math.floor(rnd() * 4);
    const dirs = Array.from({ length: depth }, (_, d) => `d${d}_${Math.floor(rnd() * 6)}`);
    const path = [...dirs, `f${i}.${rnd() < 0.2 ? 'bin' : 'ts'}`].join('/');
    const size = Math.floor(rnd() * (rnd() < 0.05 ? 200_000 : 3000));
    const bytes = path.endsWith('.bin') ? Uint8Array.from({ length: size }, () => Math.floor(rnd() * 256)) : `// ${path}\n${'export const v = 1;\n'.repeat(Math.ceil(size / 20))}`;
    write(root, path, bytes, rnd() < 0.1 ? 0o755 : 0o644);
    paths.push(path);
  }
  write(root, '.gitignore', 'node_modules/\n*.log\n');
  write(root, 'node_modules/dep/index.js', 'ignored');
  write(root, 'debug.log', 'ignored');
  return paths;
}

export class Rig {
  readonly base = mkdtempSync(join(tmpdir(), 'slice-sync-'));
  readonly local = join(this.base, 'local');
  readonly remote = join(this.base, 'remote');
  /** The agent's state directory (its record of what the sync wrote): lives as long as `remote`, as the pod's emptyDirs do. */
  readonly state = join(this.base, 'state');
  readonly logs: string[] = [];
  server: AgentServer | undefined;
  port = 0;

  constructor(private readonly afterSync?: HookConfig) {
    mkdirSync(this.local);
    mkdirSync(this.remote);
  }

  async startAgent(): Promise<void> {
    this.server = new AgentServer({ host: '127.0.0.1', port: this.port, token: TOKEN, syncRoot: this.remote, stateDir: this.state, version: 'test', log: (l) => this.logs.push(l), afterSync: this.afterSync });
    this.port = await this.server.listen();
  }

  async stopAgent(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
  }

  /** A rescheduled pod: its sync folder and the agent's state start over (seed the image's files after). */
  wipeContainer(): void {
    rmSync(this.remote, { recursive: true, force: true });
    rmSync(this.state, { recursive: true, force: true });
    mkdirSync(this.remote, { recursive: true });
  }

  engine(options: Partial<SyncEngineOptions> = {}): SyncEngine {
    return new SyncEngine({
      transport: new WsTransport({ url: `ws://127.0.0.1:${this.port}/v1/connect`, token: TOKEN }),
      localRoot: this.local,
      backoff: { initialMs: 20, maxMs: 200 },
      ...options,
    });
  }

  /** The container's files, without the paths local ignores. */
  remoteState(): Map<string, string> {
    return treeState(this.remote, (p) => p === 'node_modules' || p.endsWith('.log') || p === '.git');
  }

  localState(): Map<string, string> {
    return treeState(this.local, (p) => p === 'node_modules' || p.endsWith('.log') || p === '.git');
  }

  private readonly engines: SyncEngine[] = [];

  track(engine: SyncEngine): SyncEngine {
    this.engines.push(engine);
    return engine;
  }

  async dispose(): Promise<void> {
    for (const e of this.engines) e.dispose();
    await this.stopAgent();
    rmSync(this.base, { recursive: true, force: true });
  }
}
