import type * as vscode from 'vscode';
import { contentHash } from '../../core/telemetry/contentHash';
import { type LineEdit, LineShifts } from '../../core/telemetry/lineShifts';

export { contentHash };

/**
 * The content hash of each open document, computed once per document version, and the line edits
 * made since each hash was seen: where a line of a version the slice ran is now.
 */
export class DocumentHashes {
  private readonly cache = new Map<string, { version: number; hash: string }>();
  private readonly shifts = new Map<string, LineShifts>();

  of(document: vscode.TextDocument): string {
    const key = document.uri.toString();
    const hit = this.cache.get(key);
    if (hit && hit.version === document.version) return hit.hash;
    const hash = contentHash(document.getText());
    if (this.cache.size > 500) this.cache.clear();
    this.cache.set(key, { version: document.version, hash });
    this.shiftsOf(key).seen(hash);
    return hash;
  }

  /** A change event of a document (call it from onDidChangeTextDocument, before anything asks for the new hash). */
  edited(e: vscode.TextDocumentChangeEvent): void {
    if (e.contentChanges.length === 0) return;
    const key = e.document.uri.toString();
    const shifts = this.shiftsOf(key);
    const known = this.cache.get(key);
    // the hash known of the content the edits start from (unless someone hashed the new content already)
    const fresh = known !== undefined && known.version === e.document.version;
    if (known && !fresh) shifts.seen(known.hash);
    const edits: LineEdit[] = e.contentChanges.map((c) => ({
      startLine: c.range.start.line,
      startCharacter: c.range.start.character,
      endLine: c.range.end.line,
      endCharacter: c.range.end.character,
      insertedLines: lineBreaks(c.text),
    }));
    shifts.edited(edits);
    if (known && fresh) shifts.seen(known.hash);
  }

  /** Where 0-based `line` of the document's version `hash` is now (undefined: deleted); the line itself when that version was never seen. */
  lineNow(document: vscode.TextDocument, hash: string | undefined, line: number): number | undefined {
    return hash === undefined ? line : (this.shifts.get(document.uri.toString())?.map(hash, line) ?? line);
  }

  forget(document: vscode.TextDocument): void {
    this.cache.delete(document.uri.toString());
    this.shifts.delete(document.uri.toString());
  }

  private shiftsOf(key: string): LineShifts {
    let s = this.shifts.get(key);
    if (!s) {
      if (this.shifts.size > 500) this.shifts.clear();
      this.shifts.set(key, (s = new LineShifts()));
    }
    return s;
  }
}

function lineBreaks(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
