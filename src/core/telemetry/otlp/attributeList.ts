/**
 * Attributes as the decoders read them: one flat array of keys and values, `[key0, value0, key1,
 * value1, ...]`, in payload order (already checked, capped and counted). Spans keep them like this
 * and build the attribute object only when something reads it: making an object of dynamic keys
 * costs a string-table lookup per key, and the aggregator needs only the `code.*` keys, read here
 * straight from the array. One array, not a pair of them, is one allocation per span instead of three.
 */
import { codeLocationFrom, httpStatusValue } from '../attributes';
import { type AttrValue, type Attributes, type CodeLocation, EMPTY_ATTRIBUTES } from '../model';

/** Keys (strings, at even indexes) and their values (at odd ones). */
export type AttributeList = readonly AttrValue[];

export const EMPTY_LIST: AttributeList = Object.freeze([]);

/** The list of `n` attributes (at most) being built: keys and values written by index, cut to length at the end. */
export function newList(n: number): AttrValue[] {
  return new Array<AttrValue>(2 * n);
}

/** The list of an attribute object (EMPTY_LIST for EMPTY_ATTRIBUTES): what {@link materialize} turns back into an equal object. */
export function listOf(attributes: Attributes): AttributeList {
  if (attributes === EMPTY_ATTRIBUTES) return EMPTY_LIST;
  const out: AttrValue[] = [];
  for (const key of Object.keys(attributes)) out.push(key, attributes[key]!);
  return out;
}

/** The attribute object of a list (a later duplicate key wins, at the first one's position); EMPTY_ATTRIBUTES when `empty`. */
export function materialize(list: AttributeList, empty: boolean): Attributes {
  if (empty) return EMPTY_ATTRIBUTES;
  const out: Record<string, AttrValue> = {};
  for (let i = 0; i < list.length; i += 2) out[list[i] as string] = list[i + 1]!;
  return out;
}

/** What `codeLocationOf` (../attributes) answers for the materialized list, without materializing it (a later duplicate wins, as in the object). */
export function codeLocationOfList(list: AttributeList): CodeLocation | undefined {
  let filePath, filepath, functionName, functionOld, namespace, lineNumber, lineno, columnNumber, column: AttrValue | undefined;
  let any = false;
  for (let i = 0; i < list.length; i += 2) {
    const k = list[i] as string;
    // only `code.*` keys matter: test the fifth character ('.') and the first ('c') before the switch
    if (k.length < 9 || k.charCodeAt(4) !== 46 || k.charCodeAt(0) !== 99) continue;
    const v = list[i + 1];
    any = true;
    switch (k) {
      case 'code.file.path':
        filePath = v;
        break;
      case 'code.filepath':
        filepath = v;
        break;
      case 'code.function.name':
        functionName = v;
        break;
      case 'code.function':
        functionOld = v;
        break;
      case 'code.namespace':
        namespace = v;
        break;
      case 'code.line.number':
        lineNumber = v;
        break;
      case 'code.lineno':
        lineno = v;
        break;
      case 'code.column.number':
        columnNumber = v;
        break;
      case 'code.column':
        column = v;
        break;
    }
  }
  return any ? codeLocationFrom(filePath, filepath, functionName, functionOld, namespace, lineNumber, lineno, columnNumber, column) : undefined;
}

/**
 * A server span's HTTP response status from its list (`http.response.status_code`, or the older
 * `http.status_code`; a later duplicate wins), 0 when it has none: read at decode time, like the
 * code location, so the aggregator never builds the attribute object to learn it.
 */
export function httpStatusOfList(list: AttributeList): number {
  let current: AttrValue | undefined;
  let old: AttrValue | undefined;
  for (let i = 0; i < list.length; i += 2) {
    const k = list[i] as string;
    // only `http.*` keys matter: test the fifth character ('.') and the first ('h') before comparing
    if (k.length < 16 || k.charCodeAt(4) !== 46 || k.charCodeAt(0) !== 104) continue;
    if (k === 'http.response.status_code') current = list[i + 1];
    else if (k === 'http.status_code') old = list[i + 1];
  }
  return httpStatusValue(current) ?? httpStatusValue(old) ?? 0;
}
