import * as vscode from 'vscode';

/** A function of a document, from its symbol provider. */
export interface FunctionRange {
  readonly name: string;
  /** 0-based. */
  readonly startLine: number;
  readonly endLine: number;
}

/** The functions of one document version, with a line → innermost function index. */
export interface DocumentFunctions {
  readonly functions: readonly FunctionRange[];
  /** For each 0-based line, the index of the innermost function containing it, or -1. */
  readonly innermost: Int32Array;
  readonly byName: ReadonlyMap<string, number>;
}

const FUNCTION_KINDS = new Set([vscode.SymbolKind.Function, vscode.SymbolKind.Method, vscode.SymbolKind.Constructor]);
/** How long a CodeLens request waits for the symbol provider before it falls back to lines. */
const WAIT_MS = 1500;

interface CacheEntry {
  readonly version: number;
  value: DocumentFunctions | null | undefined;
  readonly pending: Promise<DocumentFunctions | null>;
  /** The functions of the last version whose symbols arrived, while this version's are pending. */
  readonly previous: DocumentFunctions | undefined;
}

/**
 * Function ranges from `vscode.executeDocumentSymbolProvider`, cached per document version. `null`
 * means the document has no symbol provider (or it returned nothing): callers fall back to lines.
 */
export class FunctionRanges {
  private readonly cache = new Map<string, CacheEntry>();

  /**
   * The functions of this document version. While its symbols are being computed (after an edit),
   * the last version's functions are answered at once and `onLate` is called if the new ones start
   * a function on another line: a CodeLens request then never waits for the language server (VS Code
   * spaces its CodeLens requests by how long the last ones took, so a slow answer after each edit
   * would also delay the lens that shows a save's new figure). With no earlier version, it waits at
   * most {@link WAIT_MS}.
   */
  async get(document: vscode.TextDocument, onLate?: () => void): Promise<DocumentFunctions | null | undefined> {
    const key = document.uri.toString();
    let e = this.cache.get(key);
    if (!e || e.version !== document.version) {
      const pending = this.load(document);
      const previous = e ? (e.value ?? e.previous) : undefined;
      const entry: CacheEntry = { version: document.version, value: undefined, pending, previous: previous ?? undefined };
      e = entry;
      this.cache.set(key, entry);
      if (this.cache.size > 200) this.cache.delete(this.cache.keys().next().value!);
      pending.then(
        (v) => (entry.value = v),
        () => (entry.value = null),
      );
    }
    if (e.value !== undefined) return e.value;
    const previous = e.previous;
    if (previous) {
      if (onLate) void e.pending.then((now) => now && !samePlaces(now, previous) && onLate(), () => undefined);
      return previous;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), WAIT_MS)));
    const v = await Promise.race([e.pending, late]);
    clearTimeout(timer);
    if (v === undefined && onLate) void e.pending.then(onLate, () => undefined);
    return v;
  }

  forget(document: vscode.TextDocument): void {
    this.cache.delete(document.uri.toString());
  }

  private async load(document: vscode.TextDocument): Promise<DocumentFunctions | null> {
    const symbols = await vscode.commands.executeCommand<(vscode.DocumentSymbol | vscode.SymbolInformation)[] | undefined>('vscode.executeDocumentSymbolProvider', document.uri);
    if (!symbols || symbols.length === 0) return null;
    const functions: FunctionRange[] = [];
    const visit = (s: vscode.DocumentSymbol | vscode.SymbolInformation) => {
      const range = 'range' in s ? s.range : s.location.range;
      if (FUNCTION_KINDS.has(s.kind)) functions.push({ name: s.name, startLine: range.start.line, endLine: range.end.line });
      if ('children' in s) for (const c of s.children) visit(c);
    };
    for (const s of symbols) visit(s);
    return index(functions, document.lineCount);
  }
}

/** Whether two versions' functions start at the same lines (where their lenses sit), by name. */
function samePlaces(a: DocumentFunctions, b: DocumentFunctions): boolean {
  return a.functions.length === b.functions.length && a.functions.every((f, i) => f.name === b.functions[i]!.name && f.startLine === b.functions[i]!.startLine);
}

/** Builds the line index: larger functions first, so inner ones overwrite their lines. */
export function index(functions: FunctionRange[], lineCount: number): DocumentFunctions {
  const innermost = new Int32Array(lineCount).fill(-1);
  const order = functions.map((_, i) => i).sort((a, b) => functions[b]!.endLine - functions[b]!.startLine - (functions[a]!.endLine - functions[a]!.startLine));
  for (const i of order) {
    const f = functions[i]!;
    for (let l = Math.max(0, f.startLine); l <= f.endLine && l < lineCount; l++) innermost[l] = i;
  }
  const byName = new Map<string, number>();
  functions.forEach((f, i) => byName.has(f.name) || byName.set(f.name, i));
  return { functions, innermost, byName };
}
