/**
 * Reported locations (container paths, generated JavaScript) to workspace locations: the path
 * mapping, then the source map when there is one. The aggregator and the editor work with these.
 */
import { type CodeLocation, type ParsedStack, type StackFrame } from './model';
import { type PathMapper } from './pathMapping';
import { type SourceMapper } from './sourceMaps';

/** A location in the workspace. */
export interface WorkspaceLocation {
  /** Workspace path of the source file (the original source when a source map applied). */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based; 0 when unknown. */
  readonly column: number;
  /** Function name as reported (or from the source map's names when the report had none). */
  readonly function: string | undefined;
  /** False for dependencies (node_modules, site-packages, ...). */
  readonly userCode: boolean;
}

/** Resolves reported locations into the workspace. */
export class Locator {
  constructor(
    private readonly paths: PathMapper,
    private readonly sourceMaps?: SourceMapper,
  ) {}

  /** A file/line/column as reported by the process; undefined when outside the mapped workspace or without a line. */
  resolve(file: string, line: number, column: number, fn: string | undefined): WorkspaceLocation | undefined {
    const mapped = this.paths.map(file);
    if (!mapped || line < 1) return undefined;
    if (this.sourceMaps) {
      const orig = this.sourceMaps.original(mapped.localPath, line, column);
      if (orig) {
        // a map built inside the container names container paths: map them too
        const again = orig.file.startsWith('/') ? this.paths.map(orig.file) : undefined;
        const origFile = again?.localPath ?? orig.file;
        return { file: origFile, line: orig.line, column: orig.column, function: fn ?? orig.name, userCode: mapped.userCode && (again?.userCode ?? true) };
      }
    }
    return { file: mapped.localPath, line, column, function: fn, userCode: mapped.userCode };
  }

  /** The workspace location of a span's or log record's `code.*` location. */
  resolveCode(code: CodeLocation | undefined): WorkspaceLocation | undefined {
    if (!code || code.file === undefined || code.line === undefined) return undefined;
    return this.resolve(code.file, code.line, code.column ?? 0, code.function);
  }

  /** The workspace location of a stack frame (undefined for internal frames and unmapped paths). */
  resolveFrame(frame: StackFrame): WorkspaceLocation | undefined {
    if (frame.internal || frame.file.length === 0) return undefined;
    return this.resolve(frame.file, frame.line, frame.column, frame.function || undefined);
  }

  /** The most recent frame of a stack that is user code in the workspace: where the error was thrown from. */
  throwSite(stack: ParsedStack): WorkspaceLocation | undefined {
    for (const f of stack.frames) {
      const loc = this.resolveFrame(f);
      if (loc?.userCode) return loc;
    }
    return undefined;
  }
}
