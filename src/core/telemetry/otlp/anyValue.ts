/**
 * OTLP AnyValue / KeyValue lists to plain attribute values, for OTLP/JSON trees (shape unknown:
 * every field is checked) and for protobufjs messages (shape known: the `value` oneof says which
 * member is set). Caps: attributes per list, nesting depth, string length.
 */
import { type AttrValue, type Attributes } from '../model';
import { type AttributeList, EMPTY_LIST, materialize, newList } from './attributeList';
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
  return materialize(jsonListAt(values, ctx, depth + 1), false);
}

/** An OTLP/JSON KeyValue list as Attributes; bad entries are skipped and counted. */
export function jsonAttributes(list: unknown, ctx: DecodeContext): Attributes {
  const l = jsonAttributeList(list, ctx);
  return materialize(l, l === EMPTY_LIST);
}

/** An OTLP/JSON KeyValue list as keys and values (see {@link AttributeList}); bad entries are skipped and counted. EMPTY_LIST when absent or empty. */
export function jsonAttributeList(list: unknown, ctx: DecodeContext): AttributeList {
  if (list === undefined || list === null) return EMPTY_LIST;
  if (!Array.isArray(list)) {
    ctx.count('invalid-item');
    return EMPTY_LIST;
  }
  if (list.length === 0) return EMPTY_LIST;
  return jsonListAt(list, ctx, 0);
}

function jsonListAt(list: readonly unknown[], ctx: DecodeContext, depth: number): AttributeList {
  const n = Math.min(list.length, ctx.maxAttributes);
  if (list.length > n) ctx.count('attribute-limit', list.length - n);
  const out = newList(n);
  let w = 0;
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
    // the common case first: a string value (no call, no checks beyond the cap)
    const v = kv.value;
    const s = isObj(v) ? v.stringValue : undefined;
    const value = typeof s === 'string' ? (s.length <= ctx.maxStringLength ? s : ctx.str(s)) : jsonAnyValue(v, ctx, depth);
    out[w++] = key.length > 256 ? key.slice(0, 256) : key;
    out[w++] = value === undefined ? null : value;
  }
  if (w < out.length) out.length = w;
  return out;
}

/**
 * An AnyValue as protobufjs decodes it: the member that is set is an own property (the others are
 * prototype defaults). The `value` oneof getter says the same but walks `Object.keys` on every
 * read, so it is not used on this hot path.
 */
export interface ProtoAnyValue {
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

const own = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key);

/** A protobufjs AnyValue; undefined when no member is set. */
export function protoAnyValue(v: ProtoAnyValue | null | undefined, ctx: DecodeContext, depth: number): AttrValue | undefined {
  if (!v) return undefined;
  if (own(v, 'stringValue')) return ctx.str(v.stringValue ?? '');
  if (own(v, 'intValue')) {
    const n = int64ToNumber(v.intValue);
    return Number.isNaN(n) ? undefined : n;
  }
  if (own(v, 'boolValue')) return v.boolValue ?? false;
  if (own(v, 'doubleValue')) return v.doubleValue ?? 0;
  if (own(v, 'arrayValue')) {
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
  if (own(v, 'kvlistValue')) {
    if (depth >= ctx.maxDepth) {
      ctx.count('attribute-limit');
      return null;
    }
    return materialize(protoListAt(v.kvlistValue?.values ?? [], ctx, depth + 1), false);
  }
  // copy: protobufjs returns a view into the whole payload
  if (own(v, 'bytesValue')) return v.bytesValue ? v.bytesValue.slice() : new Uint8Array(0);
  return undefined;
}

/** A protobufjs KeyValue list as Attributes. */
export function protoAttributes(list: readonly ProtoKeyValue[] | null | undefined, ctx: DecodeContext): Attributes {
  const l = protoAttributeList(list, ctx);
  return materialize(l, l === EMPTY_LIST);
}

/** A protobufjs KeyValue list as keys and values (see {@link AttributeList}); EMPTY_LIST when empty. */
export function protoAttributeList(list: readonly ProtoKeyValue[] | null | undefined, ctx: DecodeContext): AttributeList {
  if (!list || list.length === 0) return EMPTY_LIST;
  return protoListAt(list, ctx, 0);
}

function protoListAt(list: readonly ProtoKeyValue[], ctx: DecodeContext, depth: number): AttributeList {
  const n = Math.min(list.length, ctx.maxAttributes);
  if (list.length > n) ctx.count('attribute-limit', list.length - n);
  const out = newList(n);
  let w = 0;
  for (let i = 0; i < n; i++) {
    const kv = list[i]!;
    const key = kv.key;
    if (key === '__proto__') {
      ctx.count('invalid-item');
      continue;
    }
    const value = protoAnyValue(kv.value, ctx, depth);
    out[w++] = key.length > 256 ? key.slice(0, 256) : key;
    out[w++] = value === undefined ? null : value;
  }
  if (w < out.length) out.length = w;
  return out;
}
