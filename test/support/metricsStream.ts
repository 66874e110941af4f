// A subscriber of an agent's metrics stream (TelemetrySubscribe{stream: 'metrics'}) over any agent
// transport (a WebSocket on loopback in unit tests, the real port-forward on the cluster), feeding
// what it receives to the core's decoders and the metric store: the editor's side of the metrics
// path until the editor's telemetry pipeline subscribes to the stream itself.
import { inflateRawSync } from 'node:zlib';
import { type TelemetryPayloadMeta, encodeMessage, parseMessage } from '../../src/core/agent/messages';
import { FrameFlags, MessageType, decodeFrame } from '../../src/core/agent/protocol';
import { type Connection, type Transport } from '../../src/core/agent/transport';
import { decodeMetricsJson, decodeMetricsProto } from '../../src/core/telemetry/metrics/decode';
import { type Metric } from '../../src/core/telemetry/metrics/model';
import { MetricStore } from '../../src/core/telemetry/metrics/store';
import { RejectionCounter } from '../../src/core/telemetry/rejections';

export interface MetricsSubscriber {
  readonly connection: Connection;
  /** The TelemetrySubscribed answer's bounds. */
  readonly subscribed: Promise<{ first: number; last: number; dropped: number }>;
  /** Every payload frame received, in order. */
  readonly frames: TelemetryPayloadMeta[];
  readonly metrics: Metric[];
  readonly store: MetricStore;
  readonly rejections: RejectionCounter;
}

/** Connects, subscribes to the metrics stream after `since`, and decodes and stores each payload as it comes. */
export async function subscribeMetrics(transport: Transport, since = 0, store = new MetricStore()): Promise<MetricsSubscriber> {
  const connection = await transport.connect();
  const frames: TelemetryPayloadMeta[] = [];
  const metrics: Metric[] = [];
  const rejections = new RejectionCounter();
  let answered: (m: { first: number; last: number; dropped: number }) => void = () => undefined;
  const subscribed = new Promise<{ first: number; last: number; dropped: number }>((resolve) => (answered = resolve));
  connection.onMessage((bytes) => {
    const frame = decodeFrame(bytes);
    if (!frame.ok) return;
    const msg = parseMessage(frame.value);
    if (!msg.ok) return;
    if (msg.value.type === MessageType.TelemetrySubscribed) return answered(msg.value.meta);
    if (msg.value.type !== MessageType.TelemetryPayload) return;
    const meta = msg.value.meta;
    frames.push(meta);
    const body = (frame.value.flags & FrameFlags.Compressed) !== 0 ? inflateRawSync(frame.value.payload) : frame.value.payload;
    const options = { source: 'slice', counter: rejections };
    const r = meta.encoding === 'json' ? decodeMetricsJson(body, options) : decodeMetricsProto(body, options);
    if (!r.ok) return;
    metrics.push(...r.value);
    store.ingest(r.value, Date.now());
  });
  connection.send(encodeMessage({ type: MessageType.TelemetrySubscribe, meta: { since, stream: 'metrics' } }, 1));
  return { connection, subscribed, frames, metrics, store, rejections };
}
