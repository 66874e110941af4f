import { type KubeConfig } from '@kubernetes/client-node';
import { type SyncEngine, type SyncReport } from '../../src/app/sync/syncEngine';
import { execIn } from '../../test/cluster/smoke/helpers';

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

/**
 * CPU time spent between start() and stop() by this process (the engine; not tar's or kubectl's
 * processes) and by the agent's container (its cgroup's counter, v1 or v2; "?" when unreadable).
 */
export class CpuMeter {
  private self = process.cpuUsage();
  private container: number | undefined;

  constructor(
    private readonly kc: KubeConfig,
    private readonly namespace: string,
    private readonly pod: string,
    private readonly containerName: string,
  ) {}

  async start(): Promise<void> {
    this.container = await this.containerMs();
    this.self = process.cpuUsage();
  }

  async stop(): Promise<string> {
    const self = process.cpuUsage(this.self);
    const container = await this.containerMs();
    const remote = container === undefined || this.container === undefined ? '?' : ((container - this.container) / 1000).toFixed(2);
    return `this process ${((self.user + self.system) / 1e6).toFixed(2)} s, agent container ${remote} s`;
  }

  private async containerMs(): Promise<number | undefined> {
    const script = 'if [ -r /sys/fs/cgroup/cpuacct/cpuacct.usage ]; then echo ns $(cat /sys/fs/cgroup/cpuacct/cpuacct.usage); else echo us $(sed -n "s/^usage_usec //p" /sys/fs/cgroup/cpu.stat); fi';
    const r = await execIn(this.kc, this.namespace, this.pod, this.containerName, ['sh', '-c', script]);
    const [unit, value] = r.stdout.trim().split(' ');
    const n = Number(value);
    if (r.status !== 'Success' || !value || !Number.isFinite(n)) return undefined;
    return unit === 'ns' ? n / 1e6 : n / 1000;
  }
}
