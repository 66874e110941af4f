import { type SyncEngine, type SyncReport } from '../../src/platform/agent-link/syncEngine';

/** Records when the engine connected and its first report's phases, to print where an initial sync's time went. */
export function recordPhases(engine: SyncEngine): { describe(startedAt: number): string } {
  let connectedAt: number | undefined;
  let report: SyncReport | undefined;
  const subs = [engine.onConnected(() => (connectedAt ??= performance.now())), engine.onSynced((r) => (report ??= r))];
  return {
    describe(startedAt: number): string {
      for (const s of subs) s.dispose();
      const parts = connectedAt === undefined ? [] : [`connect+hello ${(connectedAt - startedAt).toFixed(0)}`];
      for (const [k, v] of Object.entries(report?.phases ?? {})) parts.push(`${k} ${v.toFixed(0)}`);
      return `${parts.join(', ')} ms (read, windowWait and agentApply overlap the send)`;
    },
  };
}
