import * as vscode from 'vscode';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SliceApi } from '../../src/container';

export const EXTENSION_ID = 'slice-dev.slice';

export async function activateSlice(): Promise<SliceApi> {
  const ext = vscode.extensions.getExtension<SliceApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed in this extension host`);
  const api = await ext.activate();
  await api.ready;
  await api.view.settled();
  return api;
}

export const scratch = mkdtempSync(join(tmpdir(), 'slice-it-'));

/** Writes a kubeconfig whose contexts point at the given servers (token auth, TLS unchecked). */
export function writeKubeconfig(name: string, contexts: { name: string; server: string }[], current?: string): string {
  const file = join(scratch, name);
  const lines = ['apiVersion: v1', 'kind: Config', `current-context: ${current ?? contexts[0]?.name ?? '""'}`, 'clusters:'];
  for (const c of contexts) lines.push(`- name: ${c.name}-cluster`, '  cluster:', `    server: ${c.server}`, '    insecure-skip-tls-verify: true');
  lines.push('users:');
  for (const c of contexts) lines.push(`- name: ${c.name}-user`, '  user:', '    token: not-a-real-token');
  lines.push('contexts:');
  for (const c of contexts) lines.push(`- name: ${c.name}`, '  context:', `    cluster: ${c.name}-cluster`, `    user: ${c.name}-user`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** Points slice.kubeconfig at a file and waits until the model has loaded it and settled. */
export async function useKubeconfig(api: SliceApi, file: string): Promise<void> {
  await vscode.workspace.getConfiguration('slice').update('kubeconfig', file, vscode.ConfigurationTarget.Global);
  await api.environments.refresh();
  await api.view.settled();
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
