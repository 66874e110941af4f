import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** A code-server process started for a test run, in its own process group. */
export interface CodeServer {
  readonly url: string;
  readonly port: number;
  readonly runDir: string;
  readonly logFile: string;
  stop(): Promise<void>;
}

export interface CodeServerOptions {
  /** Folder for user data, extensions and logs; wiped first. */
  readonly runDir: string;
  /** Extra user settings (merged over the quiet defaults). */
  readonly settings?: Record<string, unknown>;
  /** Run with `--vscode-option enable-smoke-test-driver` (needed for the test payload; hides toasts). */
  readonly smokeTestDriver?: boolean;
  /** Extra environment for the server and its extension host. */
  readonly env?: Record<string, string>;
  readonly extensionsDir?: string;
}

export const QUIET_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'update.mode': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'typescript.disableAutomaticTypeAcquisition': true,
  'git.enabled': false,
  'window.commandCenter': false,
};

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run through scripts/ (they source scripts/env.sh and install the tools)`);
  return v;
}

/** Starts code-server bound to 127.0.0.1 on a free port and waits for /healthz. */
export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const binary = required('SLICE_CODE_SERVER');
  rmSync(options.runDir, { recursive: true, force: true });
  const userData = join(options.runDir, 'user-data');
  const extensions = options.extensionsDir ?? join(options.runDir, 'extensions');
  mkdirSync(join(userData, 'User'), { recursive: true });
  mkdirSync(join(userData, 'Machine'), { recursive: true });
  mkdirSync(extensions, { recursive: true });
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...options.settings }, null, 2));
  // Machine-scoped settings (like slice.kubeconfig) are read from the remote's Machine settings only.
  writeFileSync(join(userData, 'Machine', 'settings.json'), JSON.stringify({ ...options.settings }, null, 2));
  const port = await freePort();
  const logFile = join(options.runDir, 'code-server.log');
  const out = openSync(logFile, 'a');
  const args = [
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir', userData,
    '--extensions-dir', extensions,
    ...(options.smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
  ];
  // EXTENSIONS_GALLERY={}: no extension gallery. code-server's default (open-vsx.org) made the
  // workbench look for updates of the built-in extensions at start, a request off this machine that
  // tests must never make (`extensions.autoCheckUpdates: false` does not stop that one).
  const child: ChildProcess = spawn(binary, args, { detached: true, stdio: ['ignore', out, out], env: { ...process.env, EXTENSIONS_GALLERY: '{}', ...options.env } });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.pid === undefined || child.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, 5000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}; see ${logFile}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return { url, port, runDir: options.runDir, logFile, stop };
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`code-server did not answer /healthz within 60 s; see ${logFile}`);
}

/** Chromium launch options that work headless here (no sandbox as root, no background network). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];
