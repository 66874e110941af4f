import type * as vscode from 'vscode';
import { Container, type SliceApi } from './container';

let container: Container | undefined;

/** Builds the composition root; every disposable it creates is owned by it. */
export function activate(context: vscode.ExtensionContext): SliceApi {
  container = new Container(context);
  context.subscriptions.push(container);
  return container.api;
}

export function deactivate(): void {
  container = undefined;
}
