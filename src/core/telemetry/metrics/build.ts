/**
 * What the metric decoders (OTLP/JSON tree and tape, protobuf) share once the wire-specific fields
 * are read: enum values, numbers of every wire form, redacted attributes, checked points.
 */
import { type AttrValue, type Attributes, EMPTY_ATTRIBUTES } from '../model';
import { type AttributeList, EMPTY_LIST } from '../otlp/attributeList';
import { type DecodeContext } from '../otlp/limits';
import { int64ToNumber } from '../otlp/scalars';
import { MASK, isSecretKey, redact } from '../redact';
import { type Exemplar, type ExpBuckets, type Temporality } from './model';

const TEMPORALITY_NAMES: Readonly<Record<string, Temporality>> = {
  AGGREGATION_TEMPORALITY_UNSPECIFIED: 'unspecified',
  AGGREGATION_TEMPORALITY_DELTA: 'delta',
  AGGREGATION_TEMPORALITY_CUMULATIVE: 'cumulative',
};

/** AggregationTemporality from its number or enum name. */
export function temporalityOf(v: unknown): Temporality {
  if (v === 1) return 'delta';
  if (v === 2) return 'cumulative';
  if (typeof v === 'string' && Object.prototype.hasOwnProperty.call(TEMPORALITY_NAMES, v)) return TEMPORALITY_NAMES[v]!;
  return 'unspecified';
}

/** A double as OTLP/JSON writes it (a number, or "NaN"/"Infinity"/"-Infinity" and sometimes any double as a string); NaN when not one. */
export function jsonDouble(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.length > 0) return Number(v);
  return NaN;
}

/** An int64/uint64 count or value of any wire form as a number; NaN when not an integer. */
export const int64 = int64ToNumber;

/** A list of uint64 counts (`bucketCounts`) as numbers; undefined when a count is not a non-negative integer. */
export function countsOf(list: readonly unknown[]): number[] | undefined {
  const out = new Array<number>(list.length);
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    const n = typeof v === 'number' ? v : int64ToNumber(v);
    if (!(n >= 0) || !Number.isInteger(n)) return undefined;
    out[i] = n;
  }
  return out;
}

/** A list of doubles (`explicitBounds`); undefined when one is not a number or they do not increase. */
export function boundsOf(list: readonly unknown[]): readonly number[] | undefined {
  const out = new Array<number>(list.length);
  for (let i = 0; i < list.length; i++) {
    const n = jsonDouble(list[i]);
    if (Number.isNaN(n) || (i > 0 && n <= out[i - 1]!)) return undefined;
    out[i] = n;
  }
  return internBounds(out);
}

export const NO_EXEMPLARS: readonly Exemplar[] = Object.freeze([]);
export const NO_BOUNDS: readonly number[] = Object.freeze([]);

/** The last bounds seen, answered again for equal ones: a histogram's points share one array (less to make, to keep and to compare). */
let lastBounds: readonly number[] = NO_BOUNDS;

/** `bounds`, or an equal array already made. */
export function internBounds(bounds: readonly number[]): readonly number[] {
  const last = lastBounds;
  if (last.length === bounds.length) {
    let i = 0;
    while (i < bounds.length && last[i] === bounds[i]) i++;
    if (i === bounds.length) return last;
  }
  lastBounds = bounds;
  return bounds;
}
export const NO_BUCKETS: ExpBuckets = Object.freeze({ offset: 0, counts: Object.freeze([]) });

/** Most exemplars kept per point. */
export const MAX_EXEMPLARS = 16;

/**
 * Redacted values of attribute strings already seen: metric attributes repeat from point to point
 * (that is what makes a series), so each distinct value goes through the redaction rules once.
 * Bounded: cleared when full.
 */
const redacted = new Map<string, string>();
const REDACTED_CACHE = 8192;

function redactString(s: string): string {
  let r = redacted.get(s);
  if (r === undefined) {
    if (redacted.size >= REDACTED_CACHE) redacted.clear();
    r = redact(s);
    redacted.set(s, r);
  }
  return r;
}

/** isSecretKey of the keys seen (metric attribute keys are few), bounded like the values. */
const secretKeys = new Map<string, boolean>();

function secretKey(key: string): boolean {
  let r = secretKeys.get(key);
  if (r === undefined) {
    if (secretKeys.size >= REDACTED_CACHE) secretKeys.clear();
    r = isSecretKey(key);
    secretKeys.set(key, r);
  }
  return r;
}

function redactValue(key: string, v: AttrValue): AttrValue {
  if (v === null) return v;
  if ((typeof v === 'string' || typeof v === 'number') && secretKey(key)) return MASK;
  if (typeof v === 'string') return redactString(v);
  if (Array.isArray(v)) return (v as readonly AttrValue[]).map((x) => (typeof x === 'string' ? redactString(x) : x));
  return v;
}

/**
 * A point's attributes as an object, redacted as log attributes are (../redact.ts: a secret-named
 * key's value masked whole, strings through the rules); a later duplicate key wins.
 */
export function redactedAttributes(list: AttributeList): Attributes {
  if (list === EMPTY_LIST || list.length === 0) return EMPTY_ATTRIBUTES;
  const out: Record<string, AttrValue> = {};
  for (let i = 0; i < list.length; i += 2) {
    const key = list[i] as string;
    out[key] = redactValue(key, list[i + 1]!);
  }
  return out;
}

/** A point value that is usable: a finite number (NaN and infinities are skipped and counted by the caller). */
export function finite(n: number): boolean {
  return n === n && n !== Infinity && n !== -Infinity;
}

/** Counts an invalid point and answers undefined (for `return invalid(ctx)`). */
export function invalid(ctx: DecodeContext): undefined {
  ctx.count('invalid-item');
  return undefined;
}
