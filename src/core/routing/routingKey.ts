/**
 * The routing key: what a request carries so that the baseline routes it to one slice's forks.
 *
 * A key is `<slice object name>.<secret>`, e.g. `alice-checkout.3f9a0c51d2e4b7a8c6d0e1f2a3b4c5d6`:
 * - the **slice part** (before the first dot) says whose key it is, in words (Slices are listed by
 *   every developer, so this part is public);
 * - the **secret part** is 32 lowercase hex digits (128 random bits) the controller draws once per
 *   slice and keeps in the Secret {@link ROUTING_KEY_SECRET} of the slice namespace, which only the
 *   owner (and the controller) can read. The router matches whole keys only, so knowing a slice's
 *   name is not enough to drive its forks: bob cannot send his requests into alice's fork (and read
 *   what her fork and her data branch answer) by guessing her key.
 *
 * Carried as a W3C `baggage` member {@link BAGGAGE_MEMBER} (propagated hop by hop by any app with
 * OpenTelemetry's W3C baggage propagator), or, for clients without OpenTelemetry, as the plain header
 * {@link ROUTING_HEADER}. When both are present the header wins (it is what a person typed).
 *
 * Spans carry only the public slice part, as {@link SPAN_ATTRIBUTE_SLICE}: the secret never reaches
 * the baseline's telemetry, where other developers could read it.
 */

/** The W3C baggage member name: `baggage: slice-routing-key=<key>`. */
export const BAGGAGE_MEMBER = 'slice-routing-key';
/** The plain header for clients without OpenTelemetry: `x-slice-routing-key: <key>`. */
export const ROUTING_HEADER = 'x-slice-routing-key';
/** The span attribute the sample app (and any app that follows docs/routing) sets: the slice part of the key. */
export const SPAN_ATTRIBUTE_SLICE = 'slice.routing.slice';
/** The Secret in the slice namespace that holds the key (data key {@link ROUTING_KEY_SECRET_KEY}); created once by the controller. */
export const ROUTING_KEY_SECRET = 'slice-routing-key';
export const ROUTING_KEY_SECRET_KEY = 'key';
/** Hex digits of the secret part. */
export const ROUTING_SECRET_HEX = 32;

const KEY = /^([a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)\.([0-9a-f]{32})$/;

export interface RoutingKeyParts {
  /** The Slice object name, `<owner>-<name>` (public). */
  readonly slice: string;
  /** 32 lowercase hex digits (secret). */
  readonly secret: string;
}

/** The key of a slice, from its object name and the secret the controller drew (`randomHex` = 32 hex digits). */
export function routingKey(sliceObjectName: string, secretHex: string): string {
  const key = `${sliceObjectName}.${secretHex.toLowerCase()}`;
  if (!KEY.test(key)) throw new Error(`not a routing key: slice "${sliceObjectName}" with a secret of ${secretHex.length} characters (32 hex digits expected)`);
  return key;
}

/** Splits a well-formed key; undefined for anything else (which the router treats as no key). */
export function parseRoutingKey(key: string): RoutingKeyParts | undefined {
  const m = KEY.exec(key.trim());
  return m?.[1] !== undefined && m[2] !== undefined ? { slice: m[1], secret: m[2] } : undefined;
}

/** The public part of a key, safe to show in shared places (spans, logs, the baseline's traces). */
export function routingKeySlice(key: string): string | undefined {
  return parseRoutingKey(key)?.slice;
}

/** `alice-checkout.3f9a…` for a tooltip or a log line: the slice part and the first 4 hex digits. */
export function maskRoutingKey(key: string): string {
  const p = parseRoutingKey(key);
  return p ? `${p.slice}.${p.secret.slice(0, 4)}…` : '(not a routing key)';
}

/**
 * The key a request carries, from its headers (names lowercase, as Node gives them): the plain
 * header first, else the baggage member (all `baggage` headers, members split on commas, properties
 * after `;` ignored, value percent-decoded). Undefined when there is none or it is malformed.
 */
export function keyFromHeaders(headers: Readonly<Record<string, string | readonly string[] | undefined>>): string | undefined {
  const plain = first(headers[ROUTING_HEADER]);
  if (plain !== undefined) return parseRoutingKey(plain) ? plain.trim() : undefined;
  const raw = headers.baggage;
  const lines = raw === undefined ? [] : typeof raw === 'string' ? [raw] : raw;
  for (const line of lines) {
    const v = baggageValue(line, BAGGAGE_MEMBER);
    if (v !== undefined) return parseRoutingKey(v) ? v : undefined;
  }
  return undefined;
}

/** The value of member `name` in one W3C baggage header value, percent-decoded. */
export function baggageValue(header: string, name: string): string | undefined {
  for (const member of header.split(',')) {
    const kv = member.split(';')[0] ?? '';
    const eq = kv.indexOf('=');
    if (eq < 0 || kv.slice(0, eq).trim() !== name) continue;
    const value = kv.slice(eq + 1).trim();
    try {
      return decodeURIComponent(value);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** A `baggage` header value that carries `key` (merged into `existing` members, replacing an older key). */
export function withKeyInBaggage(key: string, existing?: string): string {
  const others = (existing ?? '')
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '' && (m.split(';')[0] ?? '').split('=')[0]?.trim() !== BAGGAGE_MEMBER);
  return [`${BAGGAGE_MEMBER}=${key}`, ...others].join(',');
}

/** The headers a client adds to send a request through a slice (both forms: proxies and apps differ in what they read). */
export function routingHeaders(key: string): Record<string, string> {
  return { [ROUTING_HEADER]: key, baggage: withKeyInBaggage(key) };
}

function first(v: string | readonly string[] | undefined): string | undefined {
  return v === undefined ? undefined : typeof v === 'string' ? v : v[0];
}
