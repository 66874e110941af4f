/** What the user can do about a failure; the vscode layer turns each into a button. */
export type ErrorAction = 'showLogs' | 'openSettings' | 'retry' | 'selectCluster';

/**
 * A failure explained in words for the person at the keyboard: what happened and what to do.
 * `detail` goes to the log only; the message never carries a stack trace.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    message: string,
    readonly actions: readonly ErrorAction[] = ['showLogs'],
    readonly detail?: string,
    /** True when the failure is already in the log (e.g. the model logged it): log nothing more. */
    readonly alreadyLogged = false,
  ) {
    super(message);
  }
}

/** Thrown (or returned) when the user backed out; never reported. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor() {
    super('Cancelled');
  }
}

export function isCancelledError(e: unknown): boolean {
  return e instanceof CancelledError || (e instanceof Error && (e.name === 'Canceled' || e.name === 'CancelledError' || e.name === 'AbortError'));
}

/** The message of anything thrown, without a stack. */
export function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  if (typeof e === 'string') return e;
  try {
    return JSON.stringify(e);
  } catch {
    return String(e);
  }
}
