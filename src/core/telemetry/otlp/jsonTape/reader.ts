/**
 * Reading values off a {@link Tape}: members of objects by key id, elements of arrays, strings (cut
 * out of the text as strings of their own, repeated ones from a small cache), numbers, and any
 * value as `JSON.parse` gives it (for the rare and nested parts the decoder leaves to the tree readers).
 */
import { ARRAY, ESCAPED, KEY, OBJECT, STRING, type Tape } from './tape';

/**
 * `text.slice(start, end)` as a string of its own. V8 makes a slice of 13 or more characters a view
 * that keeps the whole text alive as long as the slice lives (a span kept in the trace store would
 * hold its whole request); a short slice is a copy already, a longer one is flattened into new memory.
 */
export function copyOf(text: string, start: number, end: number): string {
  if (end - start < 13) return text.slice(start, end);
  return (' ' + text.slice(start, end)).slice(1);
}

export class TapeReader {
  readonly text: string;
  readonly t: Int32Array;
  private readonly strings: string[];
  private readonly versions: Int32Array;

  constructor(tape: Tape) {
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
    if (version === 0) return copyOf(this.text, s, e);
    const slot = w >>> 8;
    if (this.versions[slot] === version) return this.strings[slot]!;
    const copy = copyOf(this.text, s, e);
    this.strings[slot] = copy;
    this.versions[slot] = version;
    return copy;
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
