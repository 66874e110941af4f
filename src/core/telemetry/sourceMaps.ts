/**
 * Generated JavaScript positions to original sources (TypeScript and other compiled languages)
 * through source maps, with @jridgewell/trace-mapping. The core does not read files: a
 * {@link SourceMapProvider} port gives the map of a generated file. Parsed maps are cached (bounded,
 * least recently used evicted); a file's entry is dropped with {@link SourceMapper.invalidate}
 * when the generated file changes.
 */
import { LEAST_UPPER_BOUND, GREATEST_LOWER_BOUND, TraceMap, originalPositionFor, type SourceMapInput } from '@jridgewell/trace-mapping';
import { normalizePath } from './pathMapping';

/** A source map as JSON text or an object (version 3). */
export type RawSourceMap = SourceMapInput;

/** Port: the source map of a generated file (a workspace path), or undefined when it has none. */
export interface SourceMapProvider {
  get(generatedPath: string): RawSourceMap | undefined;
}

/** An original position. */
export interface OriginalPosition {
  /** The original source, resolved against the generated file's directory (normalised, `/` separators). */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based; 0 when unknown. */
  readonly column: number;
  /** The original name at that position, when the map has one. */
  readonly name: string | undefined;
}

const GENERATED = ['.js', '.mjs', '.cjs', '.jsx'];

/** Traces generated positions to original ones; one per workspace/session. */
export class SourceMapper {
  private readonly maps = new Map<string, TraceMap | null>();
  /** Maps that failed to parse, for the log. */
  failures = 0;

  constructor(
    private readonly provider: SourceMapProvider,
    private readonly maxMaps = 128,
  ) {}

  /** True when `path` is a file a source map could apply to. */
  static isGenerated(path: string): boolean {
    return GENERATED.some((ext) => path.endsWith(ext));
  }

  /**
   * The original position of a generated one (`line` and `column` 1-based; column 0 when unknown,
   * which takes the first mapping on the line). Undefined when the file has no map or the position
   * has no mapping.
   */
  original(generatedPath: string, line: number, column: number): OriginalPosition | undefined {
    if (!SourceMapper.isGenerated(generatedPath) || line < 1) return undefined;
    const map = this.mapOf(generatedPath);
    if (!map) return undefined;
    const col = column > 0 ? column - 1 : 0;
    let pos = originalPositionFor(map, { line, column: col, bias: column > 0 ? GREATEST_LOWER_BOUND : LEAST_UPPER_BOUND });
    if (pos.source === null && column > 0) pos = originalPositionFor(map, { line, column: col, bias: LEAST_UPPER_BOUND });
    if (pos.source === null) return undefined;
    const windows = generatedPath.includes('\\') && !generatedPath.includes('/');
    let file = normalizePath(pos.source);
    if (windows) file = file.replace(/\//g, '\\');
    return { file, line: pos.line, column: pos.column + 1, name: pos.name ?? undefined };
  }

  /** Forgets the map of a generated file (after it changed). */
  invalidate(generatedPath: string): void {
    this.maps.delete(generatedPath);
  }

  private mapOf(path: string): TraceMap | undefined {
    const cached = this.maps.get(path);
    if (cached !== undefined) {
      this.maps.delete(path); // most recently used goes last
      this.maps.set(path, cached);
      return cached ?? undefined;
    }
    let map: TraceMap | null = null;
    try {
      const raw = this.provider.get(path);
      // resolve sources against the generated file (a POSIX-style URL path for trace-mapping)
      if (raw !== undefined) map = new TraceMap(raw, toUrlPath(path));
    } catch {
      this.failures++;
      map = null;
    }
    if (this.maps.size >= this.maxMaps) {
      const oldest = this.maps.keys().next();
      if (!oldest.done) this.maps.delete(oldest.value);
    }
    this.maps.set(path, map);
    return map ?? undefined;
  }
}

function toUrlPath(p: string): string {
  const n = normalizePath(p);
  return /^[A-Za-z]:\//.test(n) ? `/${n}` : n;
}
