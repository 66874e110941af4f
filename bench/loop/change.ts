/**
 * The change both loops of bench/loop make, round after round: the orders service's createOrder
 * handler (sample/shop/services/orders/src/handlers.js) sleeps a known time before it works, and
 * says how long it took in its "order created" log line (what a developer without Slice reads).
 * The delays alternate, so each round's figure differs from the last one's.
 */
export const HANDLER_FILE = 'services/orders/src/handlers.js';
export const HANDLER = 'createOrder';
const OPEN = 'async function createOrder({ body }) {\n';
const LOG = "logger.info({ orderId: order.id, sku: order.sku, total: order.total }, 'order created');";

/** The added latency of round `i` (ms). */
export function delayOf(round: number): number {
  return round % 2 === 0 ? 350 : 150;
}

/** A figure belongs to round `i` when it is its delay plus at most this much (the inventory call, the store, the event loop). */
export const SLACK_MS = 190;

export function fitsRound(ms: number, round: number): boolean {
  const d = delayOf(round);
  return ms >= d && ms < d + SLACK_MS;
}

/** handlers.js as the sample ships it, changed for round `i`. */
export function changedHandlers(original: string, round: number): string {
  if (!original.includes(OPEN) || !original.includes(LOG)) throw new Error(`${HANDLER_FILE} no longer has the lines bench/loop changes: update bench/loop/change.ts`);
  return original
    .replace(OPEN, `${OPEN}    const benchStarted = Date.now();\n    await new Promise((r) => setTimeout(r, ${delayOf(round)})); // bench/loop round ${round}\n`)
    .replace(LOG, LOG.replace('total: order.total }', 'total: order.total, ms: Date.now() - benchStarted }'));
}

/** The p95 of a lens title (`⏱ p95 312 ms · n=1 · max 312 ms · 5 min`), in ms; undefined for a stale lens or none. */
export function lensP95(title: string): number | undefined {
  if (title.includes('(stale)')) return undefined;
  const m = /p95 ([0-9.]+) (ms|s)\b/.exec(title);
  return m ? Number(m[1]) * (m[2] === 's' ? 1000 : 1) : undefined;
}

export const quantile = (xs: readonly number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;
