import * as vscode from 'vscode';
import type { Container, SliceApi } from '../container';

/**
 * The extension's services, built on first use: the composition root and its module graph (the
 * Kubernetes client above all) are loaded by a dynamic import, after activate() has returned.
 * Until then every contributed command is a stub that builds the services and runs the real
 * command; a failure to build shows one error message that says what to do.
 */
export class LazyServices implements vscode.Disposable {
  private building: Promise<Container> | undefined;
  private built: Container | undefined;
  private readonly stubs: vscode.Disposable[] = [];

  constructor(private readonly context: vscode.ExtensionContext) {
    const contributed = (context.extension.packageJSON as { contributes?: { commands?: { command?: unknown }[] } }).contributes?.commands ?? [];
    for (const c of contributed) {
      const id = c.command;
      if (typeof id !== 'string') continue;
      this.stubs.push(vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        await this.get();
        return vscode.commands.executeCommand(id, ...args);
      }));
    }
  }

  /** The container, built now if it is not yet. */
  get(): Promise<Container> {
    this.building ??= this.build();
    return this.building;
  }

  /** The container if built (synchronous readers after `ready`). */
  get current(): Container {
    if (!this.built) throw new Error('Slice is still starting: await api.ready first');
    return this.built;
  }

  dispose(): void {
    for (const s of this.stubs.splice(0)) s.dispose();
    this.built?.dispose();
  }

  private async build(): Promise<Container> {
    try {
      const { Container } = await import('../container');
      // the real commands take the stubs' place in the same turn
      for (const s of this.stubs.splice(0)) s.dispose();
      this.built = new Container(this.context);
      return this.built;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      void vscode.window.showErrorMessage(`Slice could not start: ${message}. Run "Developer: Reload Window"; if it fails again, see the "Slice" and "Extension Host" output and report it with that text.`);
      throw e;
    }
  }
}

/** The API handed out by activate(): each member reads the built services (after `ready`). */
export function lazyApi(services: LazyServices, timings: { activateMs: number }): SliceApi {
  const c = () => services.current.api;
  return {
    get environments() { return c().environments; },
    get slices() { return c().slices; },
    get view() { return c().view; },
    get contextKeys() { return c().contextKeys; },
    get logger() { return c().logger; },
    get telemetry() { return c().telemetry; },
    get sync() { return c().sync; },
    get liveTelemetry() { return c().liveTelemetry; },
    get forks() { return c().forks; },
    ready: services.get().then((built) => built.api.ready),
    timings,
  };
}
