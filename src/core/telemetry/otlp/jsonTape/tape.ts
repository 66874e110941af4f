/**
 * The JSON tape: what the WebAssembly scanner (wasm/jsonTape.ts, compiled into
 * ./scannerWasm.generated.ts) makes of a payload: the payload checked against the JSON grammar and
 * its tokens, four int32 each, with the ids of the OTLP keys the decoder reads. Reading fields
 * off the tape skips building the objects, arrays and strings of the whole tree that
 * `JSON.parse` builds; strings are cut out of the text only where they are wanted.
 */
import { base64ToBytes } from '../scalars';
import { SCANNER_WASM_BASE64 } from './scannerWasm.generated';

/** Token kinds (the low 4 bits of a token's first word). */
export const OBJECT = 1;
export const ARRAY = 2;
export const STRING = 3;
export const NUMBER = 4;
export const TRUE = 5;
export const FALSE = 6;
export const NULL = 7;
export const KEY = 8;
/** Flag of a STRING token with a backslash escape. */
export const ESCAPED = 1 << 4;
/** Slots of the scanner's string cache; a cached STRING token has its slot in the bits from 8 up of its first word. */
export const STRING_SLOTS = 4096;

/** A scanned payload: its text (ASCII: string indexes are byte offsets) and its tokens. */
export interface Tape {
  readonly text: string;
  /** Token i is `t[4i]` (kind | flags), `t[4i+1]` (start), `t[4i+2]` (end), `t[4i+3]` (hash, key id or the index after a container). */
  readonly t: Int32Array;
  readonly count: number;
  /** The strings read so far by the cache slot of their bytes, with that slot's version when read (see {@link TapeReader.string}). */
  readonly strings: string[];
  readonly versions: Int32Array;
}

/** Why there is no tape: not JSON (JSON.parse says how), or JSON the scanner leaves to JSON.parse (non-ASCII text, an escaped key, deep nesting). */
export type NoTape = 'invalid' | 'unhandled' | 'unavailable';

interface ScannerExports {
  readonly memory: WebAssembly.Memory;
  keysPointer(): number;
  lengthsPointer(): number;
  flagsPointer(): number;
  setKeys(count: number): void;
  prepare(length: number): number;
  tape(): number;
  scan(length: number): number;
  epoch(): number;
}

/** Memory above which an instance is dropped after its payload (wasm memory never shrinks; a new instance is cheap). */
const KEEP_MEMORY_BYTES = 64 * 1024 * 1024;
const MAX_KEY_BYTES = 8192;

let module: WebAssembly.Module | null | undefined;
let utf8: InstanceType<typeof TextDecoder> | undefined;
let encoder: InstanceType<typeof TextEncoder> | undefined;

function compiled(): WebAssembly.Module | null {
  if (module === undefined) {
    try {
      module = new WebAssembly.Module(base64ToBytes(SCANNER_WASM_BASE64)!);
    } catch {
      module = null;
    }
  }
  return module ?? null;
}

/**
 * A scanner instance that knows `keys` (key id = 1 + index); the string values of the keys in
 * `cachedValues` go through the string cache (strings that repeat; not ids or times, which are
 * read in place).
 */
export class TapeScanner {
  private exports: ScannerExports | undefined;
  /** Strings by the slot and version the scanner gave their bytes; forgotten with the instance and at a new epoch. */
  private strings: string[] = [];
  private versions = new Int32Array(0);
  private epoch = 0;
  /** Instances made so far (a new one after one whose memory passed `keepMemoryBytes`). */
  instances = 0;

  constructor(
    private readonly keys: readonly string[],
    private readonly cachedValues: ReadonlySet<string>,
    private readonly keepMemoryBytes = KEEP_MEMORY_BYTES,
  ) {}

  private instance(): ScannerExports | undefined {
    if (this.exports) return this.exports;
    const m = compiled();
    if (!m) return undefined;
    let x: ScannerExports;
    try {
      x = new WebAssembly.Instance(m, { env: { abort: () => undefined } }).exports as unknown as ScannerExports;
    } catch {
      return undefined; // no memory for an instance now: JSON.parse reads the payload
    }
    this.instances++;
    const bytes = (encoder ??= new TextEncoder()).encode(this.keys.join(''));
    if (bytes.length > MAX_KEY_BYTES || bytes.length !== this.keys.join('').length) throw new Error('tape keys: ASCII, 8 KiB at most');
    const keysAt = x.keysPointer(); // lays the memory out (and grows it): views are made after
    const lengthsAt = x.lengthsPointer();
    const flagsAt = x.flagsPointer();
    new Uint8Array(x.memory.buffer, keysAt, bytes.length).set(bytes);
    new Int32Array(x.memory.buffer, lengthsAt, this.keys.length).set(this.keys.map((k) => k.length));
    new Int32Array(x.memory.buffer, flagsAt, this.keys.length).set(this.keys.map((k) => (this.cachedValues.has(k) ? 1 : 0)));
    x.setKeys(this.keys.length);
    this.exports = x;
    this.forget();
    this.epoch = x.epoch();
    return x;
  }

  private forget(): void {
    this.strings = new Array<string>(STRING_SLOTS).fill('');
    this.versions = new Int32Array(STRING_SLOTS);
  }

  /**
   * Scans `payload` (text, or UTF-8 bytes) and hands the tape to `read`, which must not keep it (the
   * tape is a view of the scanner's memory, reused by the next scan).
   */
  read<T>(payload: string | Uint8Array, read: (tape: Tape) => T): T | NoTape {
    const x = this.instance();
    if (!x) return 'unavailable';
    try {
      const length = payload.length;
      let count: number;
      try {
        const at = x.prepare(length);
        if (typeof payload === 'string') {
          const { read: r, written } = (encoder ??= new TextEncoder()).encodeInto(payload, new Uint8Array(x.memory.buffer, at, length));
          if (r !== length || written !== length) return 'unhandled';
        } else new Uint8Array(x.memory.buffer, at, length).set(payload);
        count = x.scan(length);
      } catch {
        // the scanner could not grow its memory (a wasm32 instance has 4 GiB): JSON.parse may still read it
        this.exports = undefined;
        return 'unavailable';
      }
      if (x.epoch() !== this.epoch) {
        this.forget();
        this.epoch = x.epoch();
      }
      if (count === -1) return 'invalid';
      if (count < 0) return 'unhandled';
      const text = typeof payload === 'string' ? payload : (utf8 ??= new TextDecoder('utf-8')).decode(payload);
      return read({ text, t: new Int32Array(x.memory.buffer, x.tape(), 4 * count), count, strings: this.strings, versions: this.versions });
    } finally {
      if (x.memory.buffer.byteLength > this.keepMemoryBytes) this.exports = undefined;
    }
  }
}
