/**
 * bench/sync/loopback: the initial sync of the bench tree (10,000 files / 50 MB) from a local
 * folder to an agent on loopback writing into a tmpfs-like directory, beside `tar c | tar x` of the
 * same tree in the same run. No cluster: it isolates the CPU cost of both ends (run it under
 * `node --cpu-prof` to see where the time goes).
 *
 *   node out/bench/sync/loopback.js [dir]     (default dir: /dev/shm when present, else the temp dir)
 *   SLICE_BENCH_PROFILE=out.cpuprofile …      a CPU profile of the sync alone (both ends: one process)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentServer } from '../../src/agent/server';
import { SyncEngine } from '../../src/app/sync/syncEngine';
import { WsTransport } from '../../src/platform/agent-link/wsTransport';
import { recordPhases } from './phases';
import { generateBenchTree } from './tree';

const FILES = Number(process.env.SLICE_BENCH_FILES ?? 10_000);
const BYTES = Number(process.env.SLICE_BENCH_BYTES ?? 50 * 1024 * 1024);

async function main(): Promise<void> {
  const parent = process.argv[2] ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir());
  const base = mkdtempSync(join(parent, 'slice-loopback-'));
  try {
    const local = join(base, 'local');
    const remote = join(base, 'remote');
    const tarDir = join(base, 'tar');
    mkdirSync(remote);
    mkdirSync(tarDir);
    generateBenchTree(local, FILES, BYTES);
    let t = performance.now();
    const tar = spawnSync('bash', ['-o', 'pipefail', '-c', `tar c -C ${local} . | tar x -C ${tarDir}`], { stdio: 'inherit' });
    if (tar.status !== 0) throw new Error('tar failed');
    const tarMs = performance.now() - t;
    const server = new AgentServer({ host: '127.0.0.1', port: 0, token: 't', syncRoot: remote, version: 'bench', log: () => undefined, fsync: false });
    const port = await server.listen();
    const transport = new WsTransport({ url: `ws://127.0.0.1:${port}/v1/connect`, token: 't' });
    const engine = new SyncEngine({ transport, localRoot: local });
    const profile = process.env.SLICE_BENCH_PROFILE;
    const session = new Session();
    if (profile) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    }
    const phases = recordPhases(engine);
    t = performance.now();
    engine.start();
    await engine.flush();
    const oursMs = performance.now() - t;
    if (profile) {
      const { profile: data } = await session.post('Profiler.stop');
      writeFileSync(profile, JSON.stringify(data));
      session.disconnect();
    }
    console.log(`loopback initial sync of ${FILES} files / ${(BYTES / 1e6).toFixed(1)} MB: slice ${(oursMs / 1000).toFixed(2)} s (sent ${(engine.traffic.bytesSent / 1e6).toFixed(1)} MB in ${engine.traffic.framesSent} frames); tar c | tar x ${(tarMs / 1000).toFixed(2)} s; ratio ${(oursMs / tarMs).toFixed(2)}×`);
    console.log(`  where the time went: ${phases.describe(t)}`);
    engine.dispose();
    await server.close();
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(`bench/sync/loopback failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    process.exit(1);
  },
);
