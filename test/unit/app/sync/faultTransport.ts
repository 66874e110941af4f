import { Emitter } from '../../../../src/core/base/event';
import { MessageType } from '../../../../src/core/agent/protocol';
import { type Connection, type Transport } from '../../../../src/core/agent/transport';
import { ReconnectGate } from './reconnectGate';

/**
 * A Transport that can lose the next acknowledgement (the agent applied the batch, its ACK never
 * arrives and the connection drops with it) and hold reconnects until released, so a test can
 * change the local tree between the drop and the next connection.
 */
export class FaultTransport implements Transport {
  private loseAck = false;
  private readonly reconnects = new ReconnectGate();
  private current: Connection | undefined;
  private readonly lost = new Emitter<void>();
  /** Fires when an ACK was swallowed and its connection cut. */
  readonly onAckLost = this.lost.event;
  connects = 0;

  constructor(private readonly inner: Transport) {}

  /** The next ACK from the agent is dropped and the connection is cut, as a network drop would. */
  loseNextAck(): Promise<void> {
    this.loseAck = true;
    return new Promise((resolve) => {
      const sub = this.onAckLost(() => {
        sub.dispose();
        resolve();
      });
    });
  }

  /** Reconnects wait until release(). */
  hold(): void {
    this.reconnects.hold();
  }

  release(): void {
    this.reconnects.release();
  }

  /** Cuts the current connection (if any). */
  cut(): void {
    this.current?.dispose();
  }

  async connect(): Promise<Connection> {
    await this.reconnects.passed();
    const conn = await this.inner.connect();
    this.connects++;
    this.current = conn;
    const messages = new Emitter<Uint8Array>();
    conn.onMessage((bytes) => {
      if (this.loseAck && bytes[4] === MessageType.Ack) {
        this.loseAck = false;
        this.hold();
        conn.dispose();
        this.lost.fire();
        return;
      }
      messages.fire(bytes);
    });
    return {
      send: (frame) => conn.send(frame),
      get bufferedAmount() {
        return conn.bufferedAmount;
      },
      onMessage: messages.event,
      onClose: conn.onClose,
      dispose: () => conn.dispose(),
    };
  }
}
