/**
 * Reading values off a {@link Tape}: members of objects by key id, elements of arrays, strings (cut
 * out of the text as strings of their own, repeated ones from a small cache), numbers, and any
 * value as `JSON.parse` gives it (for the rare and nested parts the decoder leaves to the tree readers).
 */
import { ARRAY, ESCAPED, KEY, OBJECT, STRING, type Tape } from './tape';

/**
 * `text.slice(start, end)` as a string of its own. V8 makes a slice of 13 or more characters a view
 * that keeps the whole text alive as long as the slice lives (a span kept in the trace store would
 * hold its whole request). Shorter slices are copies: up to 36 characters, the string is two or
 * three of them joined (a rope; V8 flattens it into one string if it is ever hashed); longer ones
 * are flattened into new memory now.
 */
export function copyOf(text: string, start: number, end: number): string {
  const len = end - start;
  if (len < 13) return text.slice(start, end);
  if (len <= 24) {
    const mid = start + (len >> 1);
    return text.slice(start, mid) + text.slice(mid, end);
  }
  if (len <= 36) return text.slice(start, start + 12) + text.slice(start + 12, start + 24) + text.slice(start + 24, end);
  return (' ' + text.slice(start, end)).slice(1);
}

export class TapeReader {
  readonly text: string;
  readonly t: Int32Array;
  private readonly strings: string[];
  private readonly versions: Int32Array;

  /**
   * `transient`: the caller copies what it keeps (DecodeOptions.transient), so strings read once may
   * be views of the text; strings kept in the cache across payloads are always copies.
   */
  constructor(
    tape: Tape,
    readonly transient: boolean,
  ) {
    this.text = tape.text;
    this.t = tape.t;
    this.strings = tape.strings;
    this.versions = tape.versions;
  }

  kind(i: number): number {
    return this.t[4 * i]! & 15;
  }

  /** The index of the token after the value at `i` (and everything inside it). */
  after(i: number): number {
    const k = this.t[4 * i]! & 15;
    return k === OBJECT || k === ARRAY ? this.t[4 * i + 3]! : i + 1;
  }

  /** The index after the last token inside the container at `i`. */
  end(i: number): number {
    return this.t[4 * i + 3]!;
  }

  /** The key id of the member whose KEY token is at `m`. */
  keyId(m: number): number {
    return this.t[4 * m + 3]!;
  }

  /** The number of elements of the array at `i`. */
  length(i: number): number {
    let n = 0;
    for (let e = i + 1, end = this.t[4 * i + 3]!; e < end; e = this.after(e)) n++;
    return n;
  }

  /** The value at `i` as `JSON.parse` gives it. */
  value(i: number): unknown {
    const t = this.t;
    const k = t[4 * i]! & 15;
    if (k === KEY) throw new Error(`tape: token ${i} is a key, not a value`);
    const s = t[4 * i + 1]!;
    const e = t[4 * i + 2]!;
    return JSON.parse(k === STRING ? this.text.slice(s - 1, e + 1) : this.text.slice(s, e));
  }

  /**
   * The string at `i` (a STRING token). Short strings repeat (attribute keys, routes, file paths,
   * function and service names): the scanner put their bytes in its cache and gave the token the
   * slot and the version of that content there, so a string read before at the same slot and
   * version is the same string, answered without making it again.
   */
  string(i: number): string {
    const t = this.t;
    const w = t[4 * i]!;
    const s = t[4 * i + 1]!;
    const e = t[4 * i + 2]!;
    if ((w & ESCAPED) !== 0) return JSON.parse(this.text.slice(s - 1, e + 1)) as string;
    const version = t[4 * i + 3]!;
    if (version === 0) return this.own(s, e);
    const slot = w >>> 8;
    if (this.versions[slot] === version) return this.strings[slot]!;
    const copy = copyOf(this.text, s, e);
    this.strings[slot] = copy;
    this.versions[slot] = version;
    return copy;
  }

  /** The text from `start` to `end`: a string of its own unless the reader is transient. */
  own(start: number, end: number): string {
    return this.transient ? this.text.slice(start, end) : copyOf(this.text, start, end);
  }

  /** The number at `i` (a NUMBER token). */
  number(i: number): number {
    const t = this.t;
    const s = t[4 * i + 1]!;
    const e = t[4 * i + 2]!;
    if (e - s === 1) return this.text.charCodeAt(s) - 48;
    return +this.text.slice(s, e);
  }

  /** True when the token at `i` is a STRING without escapes: its content is the text from start(i) to stop(i). */
  plainString(i: number): boolean {
    return (this.t[4 * i]! & (15 | ESCAPED)) === STRING;
  }

  /** Where the token at `i` starts in the text (a string's content: after its quote). */
  start(i: number): number {
    return this.t[4 * i + 1]!;
  }

  /** Where the token at `i` ends in the text (a string's content: at its closing quote). */
  stop(i: number): number {
    return this.t[4 * i + 2]!;
  }
}
