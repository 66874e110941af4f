/** One container log line as the Kubernetes log API sends it with `timestamps=true`. */
export interface TimedLine {
  /** RFC 3339 timestamp as the kubelet wrote it ("" when the line had none). */
  readonly timestamp: string;
  readonly text: string;
}

/** Splits "2026-11-26T14:30:00.123456789Z text" into its timestamp and text. */
export function splitTimestamp(line: string): TimedLine {
  const space = line.indexOf(' ');
  const head = space < 0 ? line : line.slice(0, space);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(head)) return { timestamp: '', text: line };
  return { timestamp: head, text: space < 0 ? '' : line.slice(space + 1) };
}

/**
 * A sortable key of an RFC 3339 UTC timestamp: the fraction padded to nanoseconds (the kubelet
 * writes RFC3339Nano, which drops trailing zeros, so the strings do not sort as they are).
 */
export function timestampKey(ts: string): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(ts);
  if (!m) return ts;
  return `${m[1]!}.${(m[2] ?? '').padEnd(9, '0').slice(0, 9)}Z`;
}

/** The whole second of a timestamp, as `sinceTime` takes it (the API has second precision). */
export function sinceTimeOf(ts: string): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)/.exec(ts);
  return m ? `${m[1]!}Z` : ts;
}

/**
 * Exactly-once delivery of one container's log across reconnects of a `follow` stream. A reconnect
 * asks for `sinceTime` = the second of the last line delivered, so the API sends again every line of
 * that second; this drops the lines older than the last delivered one, and of the lines stamped
 * exactly like it, as many copies of each text as were already delivered. (Lines with identical
 * nanosecond timestamps and texts are told apart by count.)
 */
export class LogResume {
  private lastKey = '';
  private lastTs = '';
  /** text → copies delivered with timestamp lastKey. */
  private atLast = new Map<string, number>();
  /** During a replay: the copies at lastKey still to skip. */
  private replay: Map<string, number> | undefined;

  /** The `sinceTime` of the next request (undefined: from the start); starts skipping the replay. */
  resume(): string | undefined {
    if (!this.lastTs) return undefined;
    this.replay = new Map(this.atLast);
    return sinceTimeOf(this.lastTs);
  }

  /** A new container (another pod): nothing of it was delivered yet. */
  reset(): void {
    this.lastKey = '';
    this.lastTs = '';
    this.atLast = new Map();
    this.replay = undefined;
  }

  /** The line to deliver, or undefined when it was delivered before. */
  accept(raw: string): TimedLine | undefined {
    const line = splitTimestamp(raw);
    if (!line.timestamp) return line;
    const key = timestampKey(line.timestamp);
    if (this.lastKey && key < this.lastKey) return undefined;
    if (key === this.lastKey) {
      const replay = this.replay;
      const skip = replay?.get(line.text) ?? 0;
      if (replay && skip > 0) {
        replay.set(line.text, skip - 1);
        return undefined;
      }
      this.atLast.set(line.text, (this.atLast.get(line.text) ?? 0) + 1);
      return line;
    }
    this.lastKey = key;
    this.lastTs = line.timestamp;
    this.atLast = new Map([[line.text, 1]]);
    this.replay = undefined;
    return line;
  }
}
