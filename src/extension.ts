import type * as vscode from 'vscode';
import { Container, type SliceApi } from './container';

let container: Container | undefined;

/** Builds the composition root; every disposable it creates is owned by it. */
export function activate(context: vscode.ExtensionContext): SliceApi {
  const started = performance.now();
  container = new Container(context);
  context.subscriptions.push(container);
  container.api.timings.activateMs = performance.now() - started;
  return container.api;
}

export function deactivate(): void {
  container = undefined;
}
