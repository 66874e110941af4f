/**
 * The caps every decoder applies, so a hostile or broken payload costs bounded memory and time.
 */
import { type RejectReason, type RejectionCounter } from '../rejections';
import { type SourceTag } from '../model';

/** Options of the OTLP decoders and the log-line parser. */
export interface DecodeOptions {
  /** The slice the payload came from, stamped on every item. */
  readonly source: SourceTag;
  /** Counts rejections by reason; shared across calls by the caller. */
  readonly counter?: RejectionCounter;
  /** Largest payload accepted, in bytes (UTF-16 units for strings). The caller caps decompressed size before. */
  readonly maxBytes?: number;
  /** Most spans or log records kept from one payload. */
  readonly maxItems?: number;
  /** Most attributes kept per item, resource or event. */
  readonly maxAttributes?: number;
  /** Most events kept per span. */
  readonly maxEvents?: number;
  /** Longest string kept (longer ones are cut), in UTF-16 units. */
  readonly maxStringLength?: number;
  /** Deepest nesting of array/kvlist attribute values kept. */
  readonly maxDepth?: number;
  /**
   * The caller keeps nothing of the result past copying it (the decode worker packs spans and posts
   * them to another thread): the OTLP/JSON decoder may then answer strings that are views of the
   * payload's text, which are cheaper to make but keep the whole text alive while they live.
   * Default false: every string is a string of its own.
   */
  readonly transient?: boolean;
}

export const DEFAULT_LIMITS = {
  maxBytes: 16 * 1024 * 1024,
  maxItems: 50_000,
  maxAttributes: 128,
  maxEvents: 64,
  maxStringLength: 16 * 1024,
  maxDepth: 4,
} as const;

/** The options with defaults filled in, plus the counter; passed down the decoder. */
export class DecodeContext {
  readonly source: SourceTag;
  readonly maxBytes: number;
  readonly maxItems: number;
  readonly maxAttributes: number;
  readonly maxEvents: number;
  readonly maxStringLength: number;
  readonly maxDepth: number;
  readonly transient: boolean;
  /** Items kept so far in this payload. */
  items = 0;

  constructor(private readonly options: DecodeOptions) {
    this.source = options.source;
    this.maxBytes = options.maxBytes ?? DEFAULT_LIMITS.maxBytes;
    this.maxItems = options.maxItems ?? DEFAULT_LIMITS.maxItems;
    this.maxAttributes = options.maxAttributes ?? DEFAULT_LIMITS.maxAttributes;
    this.maxEvents = options.maxEvents ?? DEFAULT_LIMITS.maxEvents;
    this.maxStringLength = options.maxStringLength ?? DEFAULT_LIMITS.maxStringLength;
    this.maxDepth = options.maxDepth ?? DEFAULT_LIMITS.maxDepth;
    this.transient = options.transient ?? false;
  }

  get counter(): RejectionCounter | undefined {
    return this.options.counter;
  }

  count(reason: RejectReason, n = 1): void {
    this.options.counter?.add(reason, n);
  }

  /** `s` cut to the string cap (counted as 'truncated' when cut). */
  str(s: string): string {
    if (s.length <= this.maxStringLength) return s;
    this.count('truncated');
    return s.slice(0, this.maxStringLength);
  }
}
