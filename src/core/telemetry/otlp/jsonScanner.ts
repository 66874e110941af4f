/**
 * A strict, single-pass JSON reader over a string, for the OTLP/JSON fast path (./fastJson.ts):
 * the caller walks the schema it knows (objects member by member, arrays element by element) and
 * reads scalars in place; anything else it can read as a generic value (built like `JSON.parse`
 * builds it) or skip (validated, not built).
 *
 * It never guesses: on invalid JSON, or on anything it does not handle the way `JSON.parse` would
 * (a `__proto__` key, nesting deeper than {@link MAX_NESTING}), it throws {@link BAIL} and the
 * caller falls back to `JSON.parse`, whose answer (result or rejection) is then the answer.
 *
 * Strings come out as copies, never as slices of the payload: V8 makes a slice of 13 or more
 * characters a view that keeps the whole payload alive as long as the slice lives (a span kept
 * in the trace store would hold its 20 MiB request). Short and repeated strings (attribute keys,
 * routes, file paths, function names) come from a small cache of copies, checked in place against
 * the payload, so most of them cost no allocation at all.
 */

/** Thrown (one instance, no stack) when the fast path must give up; caught by ./fastJson.ts. */
export class Bail extends Error {}
export const BAIL = new Bail('OTLP/JSON fast path: not handled here, use JSON.parse');

/** Deepest nesting the generic reader and the skipper follow before giving up (JSON.parse is iterative). */
export const MAX_NESTING = 64;

const CACHE_BITS = 14;
const CACHE_MASK = (1 << CACHE_BITS) - 1;
/** Longest string kept in the cache; longer ones (stack traces, messages) are copied each time. */
const CACHE_MAX_LENGTH = 128;
/** Copies of recently read strings by a hash of their characters (a direct-mapped cache shared by all payloads; bounded: 16,384 × 128 characters). */
const cache: (string | undefined)[] = new Array<string | undefined>(CACHE_MASK + 1).fill(undefined);



/**
 * `text.slice(start, end)` as a string of its own: slices under 13 characters are copies already;
 * up to 36, two or three such copies joined (a rope of small strings); longer ones are flattened
 * into a fresh string (joining a character makes a rope whose slice V8 flattens into new memory).
 */
export function copyOf(text: string, start: number, end: number): string {
  const len = end - start;
  if (len < 13) return text.slice(start, end);
  if (len <= 24) return text.slice(start, start + 12) + text.slice(start + 12, end);
  if (len <= 36) return text.slice(start, start + 12) + text.slice(start + 12, start + 24) + text.slice(start + 24, end);
  return (' ' + text.slice(start, end)).slice(1);
}

export class JsonScanner {
  /** The next character to read. */
  pos = 0;
  /** The last string token read: its content's range and whether it has escapes. */
  sStart = 0;
  sEnd = 0;
  sEsc = false;

  constructor(readonly text: string) {}

  /** Goes back to `p` (to read again what was read from there): keeps what is known of the backslashes true. */
  rewind(p: number): void {
    if (p < this.backslashFrom) {
      const t = this.text;
      for (let i = p; i < this.backslashFrom; i++) {
        if (t.charCodeAt(i) === 92) {
          this.nextBackslash = i;
          break;
        }
      }
      this.backslashFrom = p;
    }
    this.pos = p;
  }

  /** Skips whitespace; the character code at the next token (NaN at the end). */
  ws(): number {
    const t = this.text;
    let p = this.pos;
    for (;;) {
      const c = t.charCodeAt(p);
      if (c === 32 || c === 10 || c === 13 || c === 9) p++;
      else {
        this.pos = p;
        return c;
      }
    }
  }

  /** Consumes the character `c` (after whitespace), or bails. */
  expect(c: number): void {
    if (this.ws() !== c) throw BAIL;
    this.pos++;
  }

  /** Only whitespace is left. */
  end(): void {
    this.ws();
    if (this.pos !== this.text.length) throw BAIL;
  }

  /** At `{`: consumes it; true when a member follows, false for `{}` (consumed whole). */
  objectStart(): boolean {
    this.expect(123);
    if (this.ws() === 125) {
      this.pos++;
      return false;
    }
    return true;
  }

  /** After a member's value: true when another member follows (`,` consumed), false at `}` (consumed). */
  objectNext(): boolean {
    const c = this.ws();
    this.pos++;
    if (c === 44) return true;
    if (c === 125) return false;
    throw BAIL;
  }

  /** At `[`: consumes it; true when an element follows, false for `[]` (consumed whole). */
  arrayStart(): boolean {
    this.expect(91);
    if (this.ws() === 93) {
      this.pos++;
      return false;
    }
    return true;
  }

  /** After an element: true when another element follows (`,` consumed), false at `]` (consumed). */
  arrayNext(): boolean {
    const c = this.ws();
    this.pos++;
    if (c === 44) return true;
    if (c === 93) return false;
    throw BAIL;
  }

  /** A member's key and the `:` after it. */
  key(): string {
    if (this.ws() !== 34) throw BAIL;
    this.scanString();
    this.expect(58);
    return this.sEsc ? this.unescaped() : this.interned();
  }

  /** The first backslash at or after `backslashFrom` (the text's length when none): no backslash lies between them. */
  private nextBackslash = -1;
  private backslashFrom = 0;

  /**
   * At `"`: reads the string token up to its closing quote and leaves its range in sStart/sEnd and
   * whether it has escapes in sEsc. The closing quote is found by the engine's `indexOf`. A token
   * with escapes is checked whole here (its characters one by one, then JSON.parse); one without
   * is NOT yet checked for raw control characters (not allowed in JSON strings): whoever reads its
   * characters checks them on the way ({@link internRange}, {@link checkPlain}, the id and time
   * readers), so each character is looked at once.
   */
  scanString(): void {
    const t = this.text;
    const start = this.pos + 1;
    const end = t.indexOf('"', start);
    if (end < 0) throw BAIL;
    if (this.nextBackslash < start) {
      this.backslashFrom = start;
      const b = t.indexOf('\\', start);
      this.nextBackslash = b < 0 ? t.length : b;
    }
    if (end < this.nextBackslash) {
      this.sStart = start;
      this.sEnd = end;
      this.sEsc = false;
      this.pos = end + 1;
      return;
    }
    let p = start;
    let esc = false;
    for (;;) {
      const c = t.charCodeAt(p);
      if (c === 34) break;
      if (c === 92) {
        esc = true;
        p += 2; // the escaped character is checked by JSON.parse in unescaped()
        continue;
      }
      if (!(c >= 32)) throw BAIL; // a raw control character, or the end of the text (NaN)
      p++;
    }
    this.sStart = start;
    this.sEnd = p;
    this.sEsc = esc;
    this.pos = p + 1;
  }

  /** The last string token, which has escapes, unescaped by JSON.parse (which also checks them). */
  unescaped(): string {
    try {
      return JSON.parse(this.text.slice(this.sStart - 1, this.sEnd + 1)) as string;
    } catch {
      throw BAIL;
    }
  }

  /** Bails when the last string token (no escapes) has a raw control character. */
  checkPlain(): void {
    this.checkRange(this.sStart, this.sEnd);
  }

  private checkRange(start: number, end: number): void {
    const t = this.text;
    for (let i = start; i < end; i++) if (t.charCodeAt(i) < 32) throw BAIL;
  }

  /** The last string token (no escapes) as a copy; one of 13 to 128 characters from the cache when it was read before. */
  interned(): string {
    return this.internRange(this.sStart, this.sEnd);
  }

  /** `text.slice(start, end)` (a plain string token's content) as {@link interned} gives it. */
  internRange(start: number, end: number): string {
    const t = this.text;
    const len = end - start;
    if (len < 13 || len > CACHE_MAX_LENGTH) {
      this.checkRange(start, end);
      return len === 0 ? '' : copyOf(t, start, end);
    }
    let h = len;
    for (let i = start; i < end; i++) {
      const c = t.charCodeAt(i);
      if (c < 32) throw BAIL;
      h = Math.imul(h ^ c, 16777619);
    }
    const slot = (h ^ (h >>> 15)) & CACHE_MASK;
    const hit = cache[slot];
    if (hit !== undefined && hit.length === len && t.startsWith(hit, start)) return hit;
    const s = copyOf(t, start, end);
    cache[slot] = s;
    return s;
  }

  /**
   * When the text at the next token is `lit` (a quoted key and its colon, e.g. `"name":`), consumes
   * it and answers true: the key read without building a string. False (nothing consumed) otherwise.
   */
  at(lit: string): boolean {
    const p = this.pos;
    if (this.text.startsWith(lit, p)) {
      this.pos = p + lit.length;
      return true;
    }
    return false;
  }

  /** The value of the last string token. */
  stringValue(): string {
    return this.sEsc ? this.unescaped() : this.interned();
  }

  /** At a number: reads it (strict JSON grammar) as `JSON.parse` would. */
  number(): number {
    const t = this.text;
    const start = this.pos;
    let p = start;
    let c = t.charCodeAt(p);
    const neg = c === 45;
    if (neg) c = t.charCodeAt(++p);
    let v = 0;
    let digits = 0;
    if (c === 48) {
      c = t.charCodeAt(++p);
      digits = 1;
    } else if (c >= 49 && c <= 57) {
      do {
        v = v * 10 + (c - 48);
        digits++;
        c = t.charCodeAt(++p);
      } while (c >= 48 && c <= 57);
    } else throw BAIL;
    let exact = digits <= 15;
    if (c === 46) {
      exact = false;
      c = t.charCodeAt(++p);
      if (!(c >= 48 && c <= 57)) throw BAIL;
      do c = t.charCodeAt(++p);
      while (c >= 48 && c <= 57);
    }
    if (c === 101 || c === 69) {
      exact = false;
      c = t.charCodeAt(++p);
      if (c === 43 || c === 45) c = t.charCodeAt(++p);
      if (!(c >= 48 && c <= 57)) throw BAIL;
      do c = t.charCodeAt(++p);
      while (c >= 48 && c <= 57);
    }
    this.pos = p;
    if (exact) return neg ? -v : v;
    return Number(t.slice(start, p));
  }

  /** At `true`, `false` or `null`: the literal's value. */
  private literal(c: number): boolean | null {
    const t = this.text;
    if (c === 116 && t.startsWith('true', this.pos)) {
      this.pos += 4;
      return true;
    }
    if (c === 102 && t.startsWith('false', this.pos)) {
      this.pos += 5;
      return false;
    }
    if (c === 110 && t.startsWith('null', this.pos)) {
      this.pos += 4;
      return null;
    }
    throw BAIL;
  }

  /** The next value, built as `JSON.parse` builds it. */
  value(depth = 0): unknown {
    const c = this.ws();
    if (c === 34) {
      this.scanString();
      return this.stringValue();
    }
    if (c === 123) {
      if (depth >= MAX_NESTING) throw BAIL;
      const o: Record<string, unknown> = {};
      if (this.objectStart()) {
        do {
          const k = this.key();
          if (k === '__proto__') throw BAIL;
          o[k] = this.value(depth + 1);
        } while (this.objectNext());
      }
      return o;
    }
    if (c === 91) {
      if (depth >= MAX_NESTING) throw BAIL;
      const a: unknown[] = [];
      if (this.arrayStart()) {
        do a.push(this.value(depth + 1));
        while (this.arrayNext());
      }
      return a;
    }
    if (c === 45 || (c >= 48 && c <= 57)) return this.number();
    return this.literal(c);
  }

  /** Skips the next value, checking it is valid JSON. */
  skip(depth = 0): void {
    const c = this.ws();
    if (c === 34) {
      this.scanString();
      if (this.sEsc) this.unescaped();
      else this.checkPlain();
    } else if (c === 123) {
      if (depth >= MAX_NESTING) throw BAIL;
      if (this.objectStart()) {
        do {
          if (this.ws() !== 34) throw BAIL;
          this.scanString();
          if (this.sEsc) this.unescaped();
          else this.checkPlain();
          this.expect(58);
          this.skip(depth + 1);
        } while (this.objectNext());
      }
    } else if (c === 91) {
      if (depth >= MAX_NESTING) throw BAIL;
      if (this.arrayStart()) {
        do this.skip(depth + 1);
        while (this.arrayNext());
      }
    } else if (c === 45 || (c >= 48 && c <= 57)) this.number();
    else this.literal(c);
  }

  /** Skips the elements left in an array (after `[` or `,`, at an element); how many there were. */
  skipRest(): number {
    let n = 0;
    do {
      this.skip();
      n++;
    } while (this.arrayNext());
    return n;
  }
}
