/**
 * The outer layers of an OTLP/JSON export request on the tape, as the tree path of ../decodeJson.ts
 * walks them (the same checks, the same counts): the root object, its list of resource elements,
 * in each its resource and its list of scope elements, and in each of those its list of items.
 */
import { type ResourceInfo } from '../../model';
import { type Result } from '../../../base/result';
import { type Rejection, reject } from '../../rejections';
import { resourceFrom } from '../jsonTree';
import { type DecodeContext } from '../limits';
import { ABSENT, K_RESOURCE } from './keys';
import { type TapeReader } from './reader';
import { ARRAY, NULL, OBJECT } from './tape';

/** Where a request keeps its resources and scopes (`resourceSpans` → `scopeSpans`, or the logs' names). */
export interface RequestLayout {
  readonly resources: number;
  /** The resource list's name, for the rejection when it is not an array. */
  readonly resourcesName: string;
  readonly scopes: number;
  /** The pre-1.0 name of the scope list (`instrumentationLibrarySpans`), read when the current one is absent. */
  readonly legacyScopes: number;
}

/**
 * Calls `visit` with each scope element that is an object (its token index) and its resource;
 * counts the elements that are not objects, or whose scope list is not an array. Answers the
 * rejection (counted) of a request of the wrong shape.
 */
export function eachScope(r: TapeReader, ctx: DecodeContext, layout: RequestLayout, visit: (scope: number, resource: ResourceInfo) => void): Result<never, Rejection> | undefined {
  if (r.kind(0) !== OBJECT) return reject(ctx.counter, 'unexpected-shape', 'the root is not an object');
  let list = ABSENT;
  for (let m = 1, end = r.end(0); m < end; m = r.after(m + 1)) if (r.keyId(m) === layout.resources) list = m + 1;
  if (list === ABSENT || r.kind(list) === NULL) return undefined;
  if (r.kind(list) !== ARRAY) return reject(ctx.counter, 'unexpected-shape', `${layout.resourcesName} is not an array`);
  for (let rs = list + 1, end = r.end(list); rs < end; rs = r.after(rs)) {
    if (r.kind(rs) !== OBJECT) {
      ctx.count('invalid-item');
      continue;
    }
    let resource = ABSENT;
    let scopes = ABSENT;
    let legacy = ABSENT;
    for (let m = rs + 1, e = r.end(rs); m < e; m = r.after(m + 1)) {
      const id = r.keyId(m);
      if (id === K_RESOURCE) resource = m + 1;
      else if (id === layout.scopes) scopes = m + 1;
      else if (id === layout.legacyScopes) legacy = m + 1;
    }
    const res = resourceFrom(resource === ABSENT ? undefined : r.value(resource), ctx);
    if (scopes === ABSENT) scopes = legacy;
    if (scopes === ABSENT || r.kind(scopes) === NULL) continue;
    if (r.kind(scopes) !== ARRAY) {
      ctx.count('invalid-item');
      continue;
    }
    for (let ss = scopes + 1, e = r.end(scopes); ss < e; ss = r.after(ss)) {
      if (r.kind(ss) !== OBJECT) ctx.count('invalid-item');
      else visit(ss, res);
    }
  }
  return undefined;
}

/**
 * Calls `visit` with each item of the list at `list` (ABSENT: no list) that is an object, as the
 * tree path does: counts a list that is not an array, items that are not objects, and the items
 * past `ctx.maxItems`; counts each visited item in `ctx.items`.
 */
export function eachItem(r: TapeReader, ctx: DecodeContext, list: number, visit: (item: number) => void): void {
  if (list === ABSENT || r.kind(list) === NULL) return;
  if (r.kind(list) !== ARRAY) {
    ctx.count('invalid-item');
    return;
  }
  let i = 0;
  for (let it = list + 1, e = r.end(list); it < e; it = r.after(it), i++) {
    if (ctx.items >= ctx.maxItems) {
      ctx.count('item-limit', r.length(list) - i);
      break;
    }
    if (r.kind(it) !== OBJECT) {
      ctx.count('invalid-item');
      continue;
    }
    visit(it);
    ctx.items++;
  }
}
