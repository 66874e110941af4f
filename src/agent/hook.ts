import { spawn } from 'node:child_process';
import { type HookConfig, type HookResultMeta } from '../core/agent/messages';

const TAIL_BYTES = 4096;
const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Parses SLICE_AFTER_SYNC_CMD: a JSON array is an argv run without a shell; any other text is a
 * command line for /bin/sh -c written by whoever configured the pod. File names are never passed.
 */
export function hookFromEnv(cmd: string | undefined, timeout: string | undefined): HookConfig | undefined {
  const text = cmd?.trim();
  if (!text) return undefined;
  const timeoutMs = timeout && Number.isFinite(Number(timeout)) && Number(timeout) > 0 ? Number(timeout) : undefined;
  let argv: string[] = ['/bin/sh', '-c', text];
  if (text.startsWith('[')) {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((a) => typeof a === 'string')) {
      throw new Error('SLICE_AFTER_SYNC_CMD must be a non-empty JSON array of strings or a shell command line');
    }
    argv = parsed;
  }
  return timeoutMs === undefined ? { argv } : { argv, timeoutMs };
}

/**
 * Runs the after-sync action in the sync root, one run at a time: a run requested while one is
 * going waits for it. A run past its timeout gets SIGTERM, then SIGKILL two seconds later.
 */
export class HookRunner {
  private chain: Promise<unknown> = Promise.resolve();
  private readonly children = new Set<ReturnType<typeof spawn>>();

  constructor(private readonly cwd: string) {}

  run(config: HookConfig | undefined): Promise<HookResultMeta> {
    const next = this.chain.then(() => this.runOnce(config));
    this.chain = next.catch(() => undefined);
    return next;
  }

  dispose(): void {
    for (const c of this.children) c.kill('SIGKILL');
  }

  private runOnce(config: HookConfig | undefined): Promise<HookResultMeta> {
    const started = Date.now();
    const [file, ...args] = config?.argv ?? [];
    if (!config || file === undefined) {
      return Promise.resolve({ ran: false, exitCode: null, signal: null, timedOut: false, durationMs: 0, outputTail: '', error: 'no after-sync action is configured (SLICE_AFTER_SYNC_CMD)' });
    }
    return new Promise((resolve) => {
      let tail = Buffer.alloc(0);
      const keep = (chunk: Buffer) => {
        tail = Buffer.concat([tail, chunk]);
        if (tail.length > TAIL_BYTES) tail = tail.subarray(tail.length - TAIL_BYTES);
      };
      let timedOut = false;
      let settled = false;
      const child = spawn(file, args, { cwd: this.cwd, shell: false, stdio: ['ignore', 'pipe', 'pipe'] });
      this.children.add(child);
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      let killTimer: NodeJS.Timeout | undefined;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGTERM');
        killTimer = setTimeout(() => child.kill('SIGKILL'), 2000);
      }, config.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      const finish = (exitCode: number | null, signal: string | null, error?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(killTimer);
        this.children.delete(child);
        const base = { ran: error === undefined, exitCode, signal, timedOut, durationMs: Date.now() - started, outputTail: tail.toString('utf8') };
        resolve(error === undefined ? base : { ...base, error });
      };
      child.on('error', (e) => finish(null, null, `cannot run ${file}: ${e.message}`));
      child.on('close', (code, signal) => finish(code, signal));
    });
  }
}
