/**
 * Durations as text, in one place: each rendering below has its own readers, so each keeps its
 * own shape.
 */

/** "30s", "5m", "2h 05m", "2d 2h": how long, for a person (tree rows, tooltips, messages); floors, at most two units. */
export function formatDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return `${Math.max(0, Math.floor(ms / 1000))}s`;
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${String(minutes % 60).padStart(2, '0')}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** "4h", "1h30m", "2d": the shortest exact rendering, in the syntax slice.yaml's `ttl` accepts (the controller's notes). */
export function ttlText(ms: number): string {
  let rest = Math.max(0, Math.round(ms / 1000));
  const parts: string[] = [];
  for (const [unit, secs] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    const n = Math.floor(rest / secs);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * secs;
  }
  return parts.join('') || '0s';
}

/** "24h", "4h", "1h 30m", "45m": to the minute; whole hours stay hours (a cap of 24h is not "1d"). */
export function durationText(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h === 0 ? `${m}m` : m === 0 ? `${h}h` : `${h}h ${String(m).padStart(2, '0')}m`;
}
