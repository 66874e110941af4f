import type * as vscode from 'vscode';
import type { SliceApi } from './container';
import { LazyServices, lazyApi } from './vscode/lazyServices';

let services: LazyServices | undefined;

/**
 * Cheap on purpose: registers a stub per contributed command and starts building the services
 * (the composition root, the Kubernetes client) after returning; the first command or the views'
 * first load use them. A failure to build is one error message with what to do.
 */
export function activate(context: vscode.ExtensionContext): SliceApi {
  const started = performance.now();
  if (services) services.dispose();
  services = new LazyServices(context);
  context.subscriptions.push(services);
  const timings = { activateMs: 0 };
  // asks for the services at once (the views need them): they are built on the next turn, off activate()'s clock
  const api = lazyApi(services, timings);
  api.ready.catch(() => undefined);
  timings.activateMs = performance.now() - started;
  return api;
}

export function deactivate(): void {
  services = undefined;
}
