/**
 * OTLP AnyValue / KeyValue lists to plain attribute values, for OTLP/JSON trees (shape unknown:
 * every field is checked) and for protobufjs messages (shape known: the `value` oneof says which
 * member is set). Caps: attributes per list, nesting depth, string length.
 */
import { type AttrValue, type Attributes, EMPTY_ATTRIBUTES } from '../model';
import { type DecodeContext } from './limits';
import { base64ToBytes, int64ToNumber } from './scalars';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null;
}

/** An OTLP/JSON AnyValue; undefined when it has no recognised member. */
export function jsonAnyValue(v: unknown, ctx: DecodeContext, depth: number): AttrValue | undefined {
  if (!isObj(v)) return undefined;
  const s = v.stringValue;
  if (typeof s === 'string') return ctx.str(s);
  if (v.intValue !== undefined) {
    const n = int64ToNumber(v.intValue);
    return Number.isNaN(n) ? undefined : n;
  }
  const d = v.doubleValue;
  if (d !== undefined) {
    if (typeof d === 'number') return d;
    // proto3 JSON writes NaN/Infinity (and sometimes any double) as strings
    if (typeof d === 'string') {
      const n = Number(d);
      return d === 'NaN' || !Number.isNaN(n) ? n : undefined;
    }
    return undefined;
  }
  const b = v.boolValue;
  if (typeof b === 'boolean') return b;
  if (v.arrayValue !== undefined) return jsonArray(v.arrayValue, ctx, depth);
  if (v.kvlistValue !== undefined) return jsonKvList(v.kvlistValue, ctx, depth);
  const bytes = v.bytesValue;
  if (typeof bytes === 'string') return base64ToBytes(bytes) ?? undefined;
  return undefined;
}

function jsonArray(v: unknown, ctx: DecodeContext, depth: number): AttrValue | undefined {
  if (depth >= ctx.maxDepth) {
    ctx.count('attribute-limit');
    return null;
  }
  const values = isObj(v) ? v.values : undefined;
  if (values === undefined) return [];
  if (!Array.isArray(values)) return undefined;
  const n = Math.min(values.length, ctx.maxAttributes);
  if (values.length > n) ctx.count('attribute-limit', values.length - n);
  const out: AttrValue[] = [];
  for (let i = 0; i < n; i++) {
    const x = jsonAnyValue(values[i], ctx, depth + 1);
    out.push(x === undefined ? null : x);
  }
  return out;
}

function jsonKvList(v: unknown, ctx: DecodeContext, depth: number): AttrValue | undefined {
  if (depth >= ctx.maxDepth) {
    ctx.count('attribute-limit');
    return null;
  }
  const values = isObj(v) ? v.values : undefined;
  if (values === undefined) return {};
  if (!Array.isArray(values)) return undefined;
  return jsonAttributesAt(values, ctx, depth + 1);
}

/** An OTLP/JSON KeyValue list as Attributes; bad entries are skipped and counted. */
export function jsonAttributes(list: unknown, ctx: DecodeContext): Attributes {
  if (list === undefined || list === null) return EMPTY_ATTRIBUTES;
  if (!Array.isArray(list)) {
    ctx.count('invalid-item');
    return EMPTY_ATTRIBUTES;
  }
  if (list.length === 0) return EMPTY_ATTRIBUTES;
  return jsonAttributesAt(list, ctx, 0);
}

function jsonAttributesAt(list: readonly unknown[], ctx: DecodeContext, depth: number): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  const n = Math.min(list.length, ctx.maxAttributes);
  if (list.length > n) ctx.count('attribute-limit', list.length - n);
  for (let i = 0; i < n; i++) {
    const kv = list[i];
    if (!isObj(kv)) {
      ctx.count('invalid-item');
      continue;
    }
    const key = kv.key;
    if (typeof key !== 'string' || key === '__proto__') {
      ctx.count('invalid-item');
      continue;
    }
    const value = jsonAnyValue(kv.value, ctx, depth);
    out[key.length > 256 ? key.slice(0, 256) : key] = value === undefined ? null : value;
  }
  return out;
}

/** An AnyValue as protobufjs decodes it: the oneof `value` names the member that is set. */
export interface ProtoAnyValue {
  readonly value?: string;
  readonly stringValue?: string;
  readonly boolValue?: boolean;
  readonly intValue?: unknown;
  readonly doubleValue?: number;
  readonly arrayValue?: { readonly values: readonly ProtoAnyValue[] } | null;
  readonly kvlistValue?: { readonly values: readonly ProtoKeyValue[] } | null;
  readonly bytesValue?: Uint8Array;
}

/** A KeyValue as protobufjs decodes it. */
export interface ProtoKeyValue {
  readonly key: string;
  readonly value?: ProtoAnyValue | null;
}

/** A protobufjs AnyValue; undefined when no member is set. */
export function protoAnyValue(v: ProtoAnyValue | null | undefined, ctx: DecodeContext, depth: number): AttrValue | undefined {
  if (!v) return undefined;
  switch (v.value) {
    case 'stringValue':
      return ctx.str(v.stringValue ?? '');
    case 'intValue': {
      const n = int64ToNumber(v.intValue);
      return Number.isNaN(n) ? undefined : n;
    }
    case 'doubleValue':
      return v.doubleValue ?? 0;
    case 'boolValue':
      return v.boolValue ?? false;
    case 'arrayValue': {
      if (depth >= ctx.maxDepth) {
        ctx.count('attribute-limit');
        return null;
      }
      const values = v.arrayValue?.values ?? [];
      const n = Math.min(values.length, ctx.maxAttributes);
      if (values.length > n) ctx.count('attribute-limit', values.length - n);
      const out: AttrValue[] = [];
      for (let i = 0; i < n; i++) {
        const x = protoAnyValue(values[i], ctx, depth + 1);
        out.push(x === undefined ? null : x);
      }
      return out;
    }
    case 'kvlistValue':
      if (depth >= ctx.maxDepth) {
        ctx.count('attribute-limit');
        return null;
      }
      return protoAttributesAt(v.kvlistValue?.values ?? [], ctx, depth + 1);
    case 'bytesValue':
      // copy: protobufjs returns a view into the whole payload
      return v.bytesValue ? v.bytesValue.slice() : new Uint8Array(0);
    default:
      return undefined;
  }
}

/** A protobufjs KeyValue list as Attributes. */
export function protoAttributes(list: readonly ProtoKeyValue[] | null | undefined, ctx: DecodeContext): Attributes {
  if (!list || list.length === 0) return EMPTY_ATTRIBUTES;
  return protoAttributesAt(list, ctx, 0);
}

function protoAttributesAt(list: readonly ProtoKeyValue[], ctx: DecodeContext, depth: number): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  const n = Math.min(list.length, ctx.maxAttributes);
  if (list.length > n) ctx.count('attribute-limit', list.length - n);
  for (let i = 0; i < n; i++) {
    const kv = list[i]!;
    const key = kv.key;
    if (key === '__proto__') {
      ctx.count('invalid-item');
      continue;
    }
    const value = protoAnyValue(kv.value, ctx, depth);
    out[key.length > 256 ? key.slice(0, 256) : key] = value === undefined ? null : value;
  }
  return out;
}
