/**
 * The OTLP/JSON scanner's readers of span and log field values (./fastJson.ts walks the objects):
 * ids, nanosecond times and attribute lists read in place, each answering what the `JSON.parse`
 * path's reader (`jsonId`, `nanosToMs`, `jsonAttributeList`) answers for the same text.
 */
import { type AttrValue } from '../model';
import { jsonAnyValue, jsonAttributeList } from './anyValue';
import { type AttributeList, EMPTY_LIST } from './attributeList';
import { BAIL, type JsonScanner, copyOf } from './jsonScanner';
import { isObj } from './jsonTree';
import { type DecodeContext } from './limits';
import { decimalRangeNanosToMs, int64ToNumber, jsonId, nanosToMs } from './scalars';

/** A trace or span id (at its value), as `jsonId` reads it; lowercase hex read in place. */
export function idOf(sc: JsonScanner, bytes: number): string {
  if (sc.ws() !== 34) return jsonId(sc.value(), bytes);
  sc.scanString();
  const start = sc.sStart;
  const end = sc.sEnd;
  if (sc.sEsc || end - start !== bytes * 2) return jsonId(sc.stringValue(), bytes);
  const t = sc.text;
  let any = false;
  for (let i = start; i < end; i++) {
    const c = t.charCodeAt(i);
    if (c >= 49 && c <= 57) any = true;
    else if (c >= 97 && c <= 102) any = true;
    else if (c !== 48) return jsonId(sc.interned(), bytes); // uppercase hex or base64: the general reader
  }
  return any ? copyOf(t, start, end) : ''; // not cached: ids are new each time
}

/** A time in Unix nanoseconds (at its value), as `nanosToMs` reads it; decimal strings read in place. */
export function nanosOf(sc: JsonScanner): number {
  if (sc.ws() !== 34) return nanosToMs(sc.value());
  sc.scanString();
  const t = sc.text;
  const start = sc.sStart;
  const end = sc.sEnd;
  if (sc.sEsc) return nanosToMs(sc.unescaped());
  for (let i = start; i < end; i++) {
    const c = t.charCodeAt(i);
    if (c < 48 || c > 57) return nanosToMs(sc.interned()); // not all digits: the general reader (which checks the characters)
  }
  return decimalRangeNanosToMs(t, start, end);
}

/** An attributes array (at its value) as `jsonAttributeList` reads it. */
export function attributeListOf(sc: JsonScanner, ctx: DecodeContext): AttributeList {
  if (sc.ws() !== 91) return jsonAttributeList(sc.value(), ctx);
  if (!sc.arrayStart()) return EMPTY_LIST;
  const keys: string[] = [];
  const values: AttrValue[] = [];
  const cap = ctx.maxAttributes;
  let i = 0;
  do {
    if (i >= cap) {
      ctx.count('attribute-limit', sc.skipRest());
      return { keys, values };
    }
    i++;
    if (sc.ws() !== 123) {
      sc.skip();
      ctx.count('invalid-item');
      continue;
    }
    if (!plainKeyValueOf(sc, ctx, keys, values)) keyValueOf(sc, ctx, keys, values);
  } while (sc.arrayNext());
  return { keys, values };
}

const KV_OPEN = '{"key":"';
const KV_STRING = ',"value":{"stringValue":"';
const KV_INT = ',"value":{"intValue":';

/**
 * One KeyValue object (at its `{`) written the way the SDKs write it, `{"key":"k","value":{"stringValue":"v"}}`
 * or `{"key":"k","value":{"intValue":n}}` with n a number or a decimal string, with no whitespace and
 * no escapes: read by matching those pieces in place; true when pushed. Anything else: false,
 * nothing read or counted (the general reader {@link keyValueOf} starts over at the `{`).
 */
function plainKeyValueOf(sc: JsonScanner, ctx: DecodeContext, keys: string[], values: AttrValue[]): boolean {
  const t = sc.text;
  const p = sc.pos;
  if (!t.startsWith(KV_OPEN, p)) return false;
  sc.pos = p + KV_OPEN.length - 1;
  sc.scanString();
  const ks = sc.sStart;
  const ke = sc.sEnd;
  const q = sc.pos;
  if (sc.sEsc || (ke - ks === 9 && t.startsWith('__proto__', ks))) return fail(sc, p);
  let value: AttrValue | undefined;
  if (t.startsWith(KV_STRING, q)) {
    sc.pos = q + KV_STRING.length - 1;
    sc.scanString();
    if (sc.sEsc || t.charCodeAt(sc.pos) !== 125 || t.charCodeAt(sc.pos + 1) !== 125) return fail(sc, p);
    const s = sc.interned();
    value = s.length <= ctx.maxStringLength ? s : ctx.str(s);
  } else if (t.startsWith(KV_INT, q)) {
    sc.pos = q + KV_INT.length;
    const c = t.charCodeAt(sc.pos);
    let n: number;
    if (c === 45 || (c >= 48 && c <= 57)) n = int64ToNumber(sc.number());
    else if (c === 34) {
      sc.scanString();
      if (sc.sEsc) return fail(sc, p);
      n = int64ToNumber(sc.interned());
    } else return fail(sc, p);
    if (t.charCodeAt(sc.pos) !== 125 || t.charCodeAt(sc.pos + 1) !== 125) return fail(sc, p);
    value = Number.isNaN(n) ? undefined : n;
  } else return fail(sc, p);
  sc.pos += 2;
  const key = sc.internRange(ks, ke);
  keys.push(key.length > 256 ? key.slice(0, 256) : key);
  values.push(value === undefined ? null : value);
  return true;
}

function fail(sc: JsonScanner, at: number): false {
  sc.rewind(at);
  return false;
}

/**
 * One KeyValue object (at its `{`), pushed to keys/values as `jsonListAt` does: a key that is not
 * a string (or is `__proto__`) makes it an invalid item, and its value is then not read at all
 * (so it counts nothing); a value before its key is read once the key is known.
 */
function keyValueOf(sc: JsonScanner, ctx: DecodeContext, keys: string[], values: AttrValue[]): void {
  let key: unknown;
  let keySeen = false;
  let valuePos = -1;
  let value: AttrValue | undefined;
  let valueRead = false;
  if (sc.objectStart()) {
    do {
      const k = sc.at('"key":') ? 'key' : sc.at('"value":') ? 'value' : sc.key();
      if (k === 'key') {
        if (keySeen) throw BAIL;
        keySeen = true;
        if (sc.ws() === 34) {
          sc.scanString();
          key = sc.stringValue();
        } else key = sc.value();
      } else if (k === 'value') {
        if (valuePos >= 0) throw BAIL;
        sc.ws();
        valuePos = sc.pos;
        if (keySeen && typeof key === 'string' && key !== '__proto__') {
          value = anyValueOf(sc, ctx);
          valueRead = true;
        } else sc.skip();
      } else sc.skip();
    } while (sc.objectNext());
  }
  if (typeof key !== 'string' || key === '__proto__') {
    ctx.count('invalid-item');
    return;
  }
  if (!valueRead && valuePos >= 0) {
    const resume = sc.pos;
    sc.rewind(valuePos);
    value = anyValueOf(sc, ctx);
    sc.pos = resume;
  } else if (!valueRead) value = jsonAnyValue(undefined, ctx, 0);
  keys.push(key.length > 256 ? key.slice(0, 256) : key);
  values.push(value === undefined ? null : value);
}

/**
 * An attribute's AnyValue (at its value) as `jsonListAt` reads it: `{"stringValue": "…"}` and
 * `{"intValue": …}` read in place; any other shape built and handed to `jsonAnyValue`.
 */
function anyValueOf(sc: JsonScanner, ctx: DecodeContext): AttrValue | undefined {
  const at = sc.pos;
  if (sc.ws() === 123) {
    sc.pos++;
    sc.ws();
    if (sc.at('"stringValue":')) {
      if (sc.ws() === 34) {
        sc.scanString();
        const s = sc.stringValue();
        if (sc.ws() === 125) {
          sc.pos++;
          return s.length <= ctx.maxStringLength ? s : ctx.str(s);
        }
      }
    } else if (sc.at('"intValue":')) {
      const c = sc.ws();
      if (c === 34 || c === 45 || (c >= 48 && c <= 57)) {
        const v = sc.value();
        if (sc.ws() === 125) {
          sc.pos++;
          const n = int64ToNumber(v); // what jsonAnyValue answers for {intValue: v}
          return Number.isNaN(n) ? undefined : n;
        }
      }
    }
  }
  sc.rewind(at); // another shape: read it whole, as JSON.parse would
  const v = sc.value();
  const s = isObj(v) || Array.isArray(v) ? (v as Record<string, unknown>).stringValue : undefined;
  return typeof s === 'string' ? (s.length <= ctx.maxStringLength ? s : ctx.str(s)) : jsonAnyValue(v, ctx, 0);
}
