import { Backoff, type BackoffOptions, type RetryPolicy } from '../core/base/backoff';
import { type EndReason, type Lifetime } from './lifetimes';

/**
 * Decides whether a failure means the thing reached is gone for good (the slice was deleted, the
 * user may no longer reach it), as opposed to a drop worth retrying.
 */
export type GoneRule = (failure: unknown) => EndReason | undefined;

/** A failure that carries the HTTP status the Kubernetes API answered (PortForwardError, PodLogError). */
interface WithStatus {
  readonly status?: number;
  readonly message: string;
}

function statusOf(failure: unknown): number | undefined {
  const s = (failure as WithStatus | undefined)?.status;
  return typeof s === 'number' ? s : undefined;
}

/**
 * The rule for everything reached inside a slice's namespace (the fork's pods, its agent token, its
 * logs): 401/403 means the identity may no longer reach it (the slice's RoleBinding went with it, or
 * the kubeconfig's user changed), 404 that it no longer exists. Either way: the slice is gone for
 * this identity; stop, quietly.
 */
export const sliceGoneRule: GoneRule = (failure) => {
  const status = statusOf(failure);
  if (status !== 401 && status !== 403 && status !== 404) return undefined;
  return { kind: 'sliceGone', message: `the slice's namespace answers ${status} (${(failure as WithStatus).message})` };
};

export interface ReconnectOptions extends BackoffOptions {
  /** The loop stops once this lifetime has ended. */
  readonly lifetime?: Lifetime;
  /** Failures that end the loop (and the lifetime) instead of a retry. */
  readonly gone?: GoneRule;
}

/**
 * The one reconnect policy of the extension, used by every loop that reconnects (the agent link, the
 * log streams, the watches): exponential backoff with full jitter, capped; no retry once the loop's
 * lifetime has ended; and no retry after a failure its GoneRule calls final — then the lifetime is
 * ended with that reason (quietly: its sessions stop without a popup).
 */
export class ReconnectPolicy implements RetryPolicy {
  private readonly backoff: Backoff;
  private stoppedWith: EndReason | undefined;

  constructor(private readonly options: ReconnectOptions = {}) {
    this.backoff = new Backoff({ initialMs: 200, maxMs: 10_000, ...options });
  }

  /** Why the loop stopped (undefined while it may go on). */
  get stopped(): EndReason | undefined {
    return this.stoppedWith ?? this.options.lifetime?.endReason;
  }

  next(failure: unknown): number | undefined {
    if (this.stopped) return undefined;
    const gone = this.options.gone?.(failure);
    if (gone) {
      this.stoppedWith = gone;
      this.options.lifetime?.end(gone);
      return undefined;
    }
    return this.backoff.next();
  }

  reset(): void {
    this.backoff.reset();
  }

  /** The same rules for another loop of the same lifetime (its own attempt count), optionally with other timings. */
  another(options: BackoffOptions = {}): ReconnectPolicy {
    return new ReconnectPolicy({ ...this.options, ...options });
  }
}
