import { Emitter } from '../../../src/core/base/event';
import { type Identity, type SliceFact, type WorldPort } from '../../../src/app/lifetimes';

/** The world as the cluster watches report it (the dependency of Lifetimes). */
export class FakeWorld implements WorldPort {
  private readonly changed = new Emitter<void>();
  readonly onDidChange = this.changed.event;
  constructor(
    public who: Identity | undefined,
    public known: SliceFact[] | undefined,
  ) {}
  readonly identity = () => this.who;
  readonly slices = () => this.known;
  set(who: Identity | undefined, known: SliceFact[] | undefined = this.known): void {
    this.who = who;
    this.known = known;
    this.changed.fire();
  }
}

