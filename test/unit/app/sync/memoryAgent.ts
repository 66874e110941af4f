import { randomUUID } from 'node:crypto';
import { HookRunner } from '../../../../src/agent/hook';
import { SafeTree } from '../../../../src/agent/safeTree';
import { AgentSession, type SyncTree } from '../../../../src/agent/session';
import { Emitter } from '../../../../src/core/base/event';
import { AgentError } from '../../../../src/core/agent/errors';
import { type BatchOp } from '../../../../src/core/agent/messages';
import { MessageType, decodeFrame } from '../../../../src/core/agent/protocol';
import { HashCache } from '../../../../src/core/sync/scanner';
import { type Connection, type Transport } from '../../../../src/core/agent/transport';
import { ReconnectGate } from './reconnectGate';

/**
 * The real agent session and SafeTree over real directories, reached without sockets (frames
 * handed over on the next turn of the event loop), with faults injected at protocol points so a
 * seeded schedule replays the same way: a connection cut after k frames, an ACK lost with its
 * connection, the agent process killed after k operations of a batch (no ACK, its ledger not
 * settled), restarted, or its pod replaced (sync folder and state wiped, the image copied again).
 */
export class MemoryAgent implements Transport {
  private process: { tree: FaultyTree; instanceId: string; cache: HashCache } | undefined;
  private link: MemoryLink | undefined;
  private readonly reconnects = new ReconnectGate();
  private cutAfter: number | undefined;
  private ackToLose: number | undefined;
  private dieAfter: number | undefined;
  private readonly fired = new Emitter<string>();
  /** A fault happened (its name). */
  readonly onFault = this.fired.event;
  connects = 0;
  /** Told every frame that passes (a replayed schedule prints them). */
  trace: ((line: string) => void) | undefined;

  constructor(
    readonly root: string,
    readonly state: string,
    /** Wipes the sync folder and the state and copies the image in (a new pod). */
    private readonly newPod: () => void,
  ) {}

  async connect(): Promise<Connection> {
    await this.reconnects.passed();
    this.process ??= { tree: new FaultyTree(new SafeTree(this.root, { fsync: false, stateDir: this.state }), () => this.kill('killed mid-batch')), instanceId: randomUUID(), cache: new HashCache() };
    const p = this.process;
    if (this.dieAfter !== undefined) p.tree.dieAfter = this.dieAfter;
    this.connects++;
    const link = new MemoryLink((frame) => {
      if (this.ackToLose !== undefined && frame[4] === MessageType.Ack && --this.ackToLose === 0) {
        this.ackToLose = undefined;
        this.hold();
        link.close('closed (1006)');
        this.fired.fire('ack lost');
        return false;
      }
      return true;
    });
    link.beforeAgent = () => {
      if (this.cutAfter === undefined || --this.cutAfter > 0) return true;
      this.cutAfter = undefined;
      link.close('closed (1006)');
      this.fired.fire('cut');
      return false;
    };
    const session = new AgentSession(
      { tree: p.tree, syncRoot: this.root, agentVersion: 'memory', instanceId: p.instanceId, maxFileBytes: 1024 * 1024, hook: undefined, hooks: new HookRunner(this.root), cache: p.cache, log: () => undefined },
      { send: (frame) => link.toClient(frame), close: (_code, reason) => link.close(reason) },
    );
    link.session = session;
    link.trace = this.trace;
    this.link = link;
    return Promise.resolve(link.client);
  }

  /** Reconnects wait until release(). */
  hold(): void {
    this.reconnects.hold();
  }

  release(): void {
    this.reconnects.release();
  }

  /** The connection is cut when the agent would receive its k-th frame from now (that frame lost). */
  cutAfterFrames(k: number): void {
    this.cutAfter = k;
  }

  /** The n-th ACK from now is lost with its connection; reconnects are held until release(). */
  loseAck(n: number): void {
    this.ackToLose = n;
  }

  /** The agent process dies after `ops` operations of its next batch: no ACK, the rest not applied. */
  killMidBatch(ops: number): void {
    this.dieAfter = ops;
    if (this.process) this.process.tree.dieAfter = ops;
  }

  /** The agent process restarts now (same sync folder and state). */
  restart(): void {
    this.kill('agent restarted');
  }

  /** The pod is replaced now: a fresh sync folder (the image's copy) and state. */
  replacePod(): void {
    this.kill('pod replaced');
    this.newPod();
  }

  disarm(): void {
    this.cutAfter = undefined;
    this.ackToLose = undefined;
    this.dieAfter = undefined;
    if (this.process) this.process.tree.dieAfter = undefined;
  }

  private kill(why: string): void {
    this.dieAfter = undefined;
    if (this.process) this.process.tree.dead = true;
    this.process = undefined;
    this.link?.close('closed (1006)');
    this.fired.fire(why);
  }
}

/** One connection: frames handed over on the next turn, in order; closing is seen at once by the client. */
class MemoryLink {
  session: AgentSession | undefined;
  trace: ((line: string) => void) | undefined;
  beforeAgent: () => boolean = () => true;
  private closed = false;
  private readonly messages = new Emitter<Uint8Array>();
  private readonly closes = new Emitter<{ readonly reason: string }>();
  readonly client: Connection;

  constructor(private readonly passToClient: (frame: Uint8Array) => boolean) {
    this.client = {
      send: (frame) => {
        if (this.closed) throw new AgentError('DISCONNECTED', 'the connection to the agent is closed');
        setImmediate(() => {
          if (this.closed || !this.beforeAgent()) return;
          this.trace?.(`    → ${describe(frame)}`);
          this.session?.receive(frame);
        });
      },
      bufferedAmount: 0,
      onMessage: this.messages.event,
      onClose: this.closes.event,
      dispose: () => this.close('closed by the client'),
    };
  }

  toClient(frame: Uint8Array): void {
    if (this.closed || !this.passToClient(frame)) return;
    setImmediate(() => {
      if (this.closed) return;
      this.trace?.(`    ← ${describe(frame)}`);
      this.messages.fire(frame);
    });
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.session?.dispose();
    this.closes.fire({ reason });
    this.messages.dispose();
    this.closes.dispose();
  }
}

/** SafeTree as a process that can die between two operations: after that nothing it does reaches the disk. */
class FaultyTree implements SyncTree {
  dieAfter: number | undefined;
  dead = false;

  constructor(
    private readonly tree: SafeTree,
    private readonly onDeath: () => void,
  ) {}

  get root(): string {
    return this.tree.root;
  }

  get ledger(): SyncTree['ledger'] {
    return this.tree.ledger;
  }

  beginBatch(ops: readonly BatchOp[]): void {
    this.alive();
    this.tree.beginBatch(ops);
  }

  endBatch(): void {
    if (!this.dead) this.tree.endBatch();
  }

  writeSync(path: string, data: Uint8Array, mode: number | undefined, expectedHash?: string): string {
    this.step();
    return this.tree.writeSync(path, data, mode, expectedHash);
  }

  removeSync(path: string): void {
    this.step();
    this.tree.removeSync(path);
  }

  renameSync(from: string, to: string, expectedHash: string): string {
    this.step();
    return this.tree.renameSync(from, to, expectedHash);
  }

  mkdirSync(path: string): void {
    this.step();
    this.tree.mkdirSync(path);
  }

  rmdirSync(path: string): void {
    this.step();
    this.tree.rmdirSync(path);
  }

  private alive(): void {
    if (this.dead) throw new AgentError('INTERNAL', 'the agent process is dead');
  }

  private step(): void {
    this.alive();
    if (this.dieAfter === undefined) return;
    if (this.dieAfter-- > 0) return;
    this.dieAfter = undefined;
    this.dead = true;
    this.onDeath();
    this.alive();
  }
}

/** A frame in a line: its type and, for a batch or an ACK, what it carries. */
function describe(frame: Uint8Array): string {
  const decoded = decodeFrame(frame);
  if (!decoded.ok) return 'bad frame';
  const { type, meta } = decoded.value;
  const name = MessageType[type] ?? String(type);
  if (type === MessageType.Batch) return `${name} ${(meta.ops as { op: string; path: string; from?: string }[]).map((o) => `${o.op} ${o.from ? `${o.from}→` : ''}${o.path}`).join(', ')}`;
  if (type === MessageType.Ack) return `${name} ${(meta.results as { ok: boolean; code?: string }[]).map((r) => (r.ok ? 'ok' : r.code)).join(', ')}`;
  return name;
}
