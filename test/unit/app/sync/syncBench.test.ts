import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rig, generateTree, write } from './syncHarness';

// Measurements on loopback; run with SLICE_SYNC_BENCH=1 (skipped otherwise: they take ~half a minute).
const enabled = process.env.SLICE_SYNC_BENCH === '1';

test('bench: initial sync of 10,000 files, save→ack latency, reconnect with nothing changed', { skip: !enabled, timeout: 600_000 }, async () => {
  const rig = new Rig();
  try {
    generateTree(rig.local, 10_000, 3);
    await rig.startAgent();
    const engine = rig.track(rig.engine());
    let t = performance.now();
    engine.start();
    await engine.flush();
    const initialMs = performance.now() - t;
    const initial = { ...engine.traffic };
    assert.deepEqual(rig.remoteState(), rig.localState());

    const latencies: number[] = [];
    for (let i = 0; i < 100; i++) {
      write(rig.local, 'src/hot.ts', `export const n = ${i};\n${'// padding\n'.repeat(200)}`);
      t = performance.now();
      engine.notifyChanged(['src/hot.ts']);
      await engine.flush();
      latencies.push(performance.now() - t);
    }
    latencies.sort((a, b) => a - b);

    const before = { ...engine.traffic };
    await rig.stopAgent();
    await rig.startAgent();
    t = performance.now();
    await new Promise<void>((resolve) => engine.onConnected(() => resolve()));
    await engine.flush();
    const reconnectMs = performance.now() - t;
    const sent = engine.traffic.bytesSent - before.bytesSent;
    const received = engine.traffic.bytesReceived - before.bytesReceived;
    const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(1);
    console.log(
      `bench: initial sync of 10,000 files in ${(initialMs / 1000).toFixed(1)} s, sent ${(initial.bytesSent / 1e6).toFixed(1)} MB in ${initial.framesSent} frames, received ${(initial.bytesReceived / 1e6).toFixed(2)} MB\n` +
        `bench: save→ack over 100 saves: p50 ${q(0.5)} ms, p95 ${q(0.95)} ms (includes the 8 ms coalescing window)\n` +
        `bench: agent restart with nothing changed: reconciled in ${reconnectMs.toFixed(0)} ms, sent ${sent} B, received ${(received / 1e3).toFixed(1)} kB (manifest)`,
    );
  } finally {
    await rig.dispose();
  }
});
