/**
 * Field values the tape decoders share, read as the tree path's functions read them (../anyValue.ts,
 * ../scalars.ts): ids, times, attribute lists, AnyValues. Hot shapes are read in place, anything
 * else through JSON.parse of its own text and those functions.
 */
import { type AttrValue } from '../../model';
import { jsonAnyValue, jsonAttributeList } from '../anyValue';
import { type AttributeList, EMPTY_LIST, newList } from '../attributeList';
import { type DecodeContext } from '../limits';
import { decimalRangeNanosToMs, int64ToNumber, jsonId, lowerHexIdIn, nanosToMs } from '../scalars';
import { ABSENT, K_BOOL_VALUE, K_DOUBLE_VALUE, K_INT_VALUE, K_KEY, K_STRING_VALUE, K_VALUE } from './keys';
import { type TapeReader } from './reader';
import { ARRAY, FALSE, NULL, NUMBER, OBJECT, STRING, TRUE } from './tape';

/** {@link jsonId} of the value at `i` (ABSENT: no value). */
export function id(r: TapeReader, i: number, bytes: 8 | 16): string {
  if (i === ABSENT) return '';
  if (r.plainString(i)) {
    const s = r.start(i);
    const e = r.stop(i);
    const hex = lowerHexIdIn(r.text, s, e, bytes);
    if (hex === 1) return r.own(s, e);
    if (hex === 0) return '';
  }
  return jsonId(r.kind(i) === STRING ? r.string(i) : r.value(i), bytes);
}

/** {@link nanosToMs} of the value at `i` (ABSENT: no value). */
export function time(r: TapeReader, i: number): number {
  if (i === ABSENT) return 0;
  if (r.plainString(i)) return decimalRangeNanosToMs(r.text, r.start(i), r.stop(i));
  return nanosToMs(r.kind(i) === NUMBER ? r.number(i) : r.value(i));
}

/** {@link jsonAttributeList} of the value at `i` (ABSENT: no value). */
export function attributeList(r: TapeReader, i: number, ctx: DecodeContext): AttributeList {
  if (i === ABSENT || r.kind(i) === NULL) return EMPTY_LIST;
  if (r.kind(i) !== ARRAY) return jsonAttributeList(r.value(i), ctx);
  const total = r.length(i);
  if (total === 0) return EMPTY_LIST;
  const n = Math.min(total, ctx.maxAttributes);
  if (total > n) ctx.count('attribute-limit', total - n);
  const out = newList(n);
  let w = 0;
  let kv = i + 1;
  for (let k = 0; k < n; k++, kv = r.after(kv)) {
    if (r.kind(kv) !== OBJECT) {
      ctx.count('invalid-item');
      continue;
    }
    let key = ABSENT;
    let value = ABSENT;
    for (let m = kv + 1, e = r.end(kv); m < e; m = r.after(m + 1)) {
      const id = r.keyId(m);
      if (id === K_KEY) key = m + 1;
      else if (id === K_VALUE) value = m + 1;
    }
    const name = key !== ABSENT && r.kind(key) === STRING ? r.string(key) : undefined;
    if (name === undefined || name === '__proto__') {
      ctx.count('invalid-item');
      continue;
    }
    const v = value === ABSENT ? undefined : anyValue(r, value, ctx);
    out[w++] = name.length > 256 ? name.slice(0, 256) : name;
    out[w++] = v === undefined ? null : v;
  }
  if (w < out.length) out.length = w;
  return out;
}

/** {@link jsonAnyValue} of the value at `i` (depth 0): an object of one scalar member read in place. */
export function anyValue(r: TapeReader, i: number, ctx: DecodeContext): AttrValue | undefined {
  if (r.kind(i) === OBJECT) {
    const m = i + 1;
    if (m + 1 < r.end(i) && r.after(m + 1) === r.end(i)) {
      const v = m + 1;
      const vk = r.kind(v);
      switch (r.keyId(m)) {
        case K_STRING_VALUE:
          if (vk === STRING) {
            const s = r.string(v);
            return s.length <= ctx.maxStringLength ? s : ctx.str(s);
          }
          break;
        case K_INT_VALUE:
          if (vk === NUMBER || vk === STRING) {
            const n = int64ToNumber(vk === NUMBER ? r.number(v) : r.string(v));
            return Number.isNaN(n) ? undefined : n;
          }
          break;
        case K_BOOL_VALUE:
          if (vk === TRUE) return true;
          if (vk === FALSE) return false;
          break;
        case K_DOUBLE_VALUE:
          if (vk === NUMBER) return r.number(v);
          break;
      }
    }
  }
  return jsonAnyValue(r.value(i), ctx, 0);
}
