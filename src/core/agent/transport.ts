import { type IDisposable } from '../base/disposable';
import { type Event } from '../base/event';

/**
 * The port through which the editor reaches an agent (sync and telemetry). Adapters: a WebSocket to a URL
 * (platform/agent-link/wsTransport), later the same through a Kubernetes port-forward.
 * Each `connect()` opens a fresh, already authenticated connection.
 */
export interface Transport {
  connect(): Promise<Connection>;
}

/** One open connection; binary messages in, binary messages out, one protocol frame each. */
export interface Connection extends IDisposable {
  send(frame: Uint8Array): void;
  /** Bytes queued locally but not yet handed to the network. */
  readonly bufferedAmount: number;
  readonly onMessage: Event<Uint8Array>;
  /** Fires once when the connection is gone, whoever closed it. */
  readonly onClose: Event<{ readonly reason: string }>;
}
