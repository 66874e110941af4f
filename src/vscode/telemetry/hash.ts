import type * as vscode from 'vscode';

/**
 * A fast non-cryptographic content hash (FNV-1a, 32 bits, over UTF-16 code units) as 8 hex digits:
 * the "file version" the telemetry aggregator compares to tell stale data from current data.
 */
export function contentHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** The content hash of each open document, computed once per document version. */
export class DocumentHashes {
  private readonly cache = new Map<string, { version: number; hash: string }>();

  of(document: vscode.TextDocument): string {
    const key = document.uri.toString();
    const hit = this.cache.get(key);
    if (hit && hit.version === document.version) return hit.hash;
    const hash = contentHash(document.getText());
    if (this.cache.size > 500) this.cache.clear();
    this.cache.set(key, { version: document.version, hash });
    return hash;
  }

  forget(document: vscode.TextDocument): void {
    this.cache.delete(document.uri.toString());
  }
}
