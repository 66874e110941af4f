/**
 * Reading the pieces of a parsed OTLP/JSON tree (what `JSON.parse` or the scanner's generic values
 * give): the checks and defaults both OTLP/JSON paths share, so they answer the same for the same input.
 */
import { resourceInfoOf } from '../attributes';
import { type ResourceInfo, EMPTY_RESOURCE } from '../model';
import { jsonAttributes } from './anyValue';
import { type RawEvent } from './build';
import { type DecodeContext } from './limits';
import { nanosToMs } from './scalars';

export type Obj = Record<string, unknown>;

/** A JSON object (not an array, not null). */
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An optional array field: [] when absent, undefined when present but not an array. */
export function arrayField(o: Obj, key: string, legacyKey?: string): readonly unknown[] | undefined {
  let v = o[key];
  if (v === undefined && legacyKey !== undefined) v = o[legacyKey];
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : undefined;
}

/** The resource of a ResourceSpans/ResourceLogs from its `resource` value. */
export function resourceFrom(r: unknown, ctx: DecodeContext): ResourceInfo {
  return isObj(r) && r.attributes !== undefined ? resourceInfoOf(jsonAttributes(r.attributes, ctx)) : EMPTY_RESOURCE;
}

/** The scope name from the `scope` (or legacy `instrumentationLibrary`) value. */
export function scopeNameFrom(s: unknown): string {
  return isObj(s) && typeof s.name === 'string' ? s.name : '';
}

/** A string field (cut to the cap), '' when not a string. */
export function str(v: unknown, ctx: DecodeContext): string {
  return typeof v === 'string' ? ctx.str(v) : '';
}

/** The span events of an `events` value; undefined when absent or empty. */
export function eventsFrom(list: unknown, ctx: DecodeContext): RawEvent[] | undefined {
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const n = Math.min(list.length, ctx.maxEvents);
  if (list.length > n) ctx.count('item-limit', list.length - n);
  const out: RawEvent[] = [];
  for (let i = 0; i < n; i++) {
    const e: unknown = list[i];
    if (!isObj(e)) {
      ctx.count('invalid-item');
      continue;
    }
    out.push({ name: str(e.name, ctx), timeMs: nanosToMs(e.timeUnixNano), attributes: jsonAttributes(e.attributes, ctx) });
  }
  return out;
}
