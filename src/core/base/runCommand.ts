import { type ErrorAction, UserError, isCancelledError, messageOf } from './errors';
import { type ILogger } from './logger';

/** How a failed command is reported: a message and the actions offered beside it. */
export interface CommandFailureReport {
  readonly message: string;
  readonly actions: readonly ErrorAction[];
}

export interface CommandReporter {
  /** Show the failure to the user; resolves with the action they picked, if any. */
  showError(report: CommandFailureReport): Promise<ErrorAction | undefined>;
  /** Carry out an action the user picked. */
  runAction(action: ErrorAction, commandId: string): Promise<void>;
}

/**
 * The one error policy of every command: cancellation is silent; any other failure is logged once
 * (with its detail or stack) and shown once as a message with actions. Never rethrows, so a command
 * never surfaces a raw stack in a VS Code notification.
 */
export async function runCommand<T>(
  commandId: string,
  body: () => Promise<T> | T,
  logger: ILogger,
  reporter: CommandReporter,
): Promise<T | undefined> {
  try {
    return await body();
  } catch (e) {
    if (isCancelledError(e)) {
      logger.debug(`${commandId}: cancelled`);
      return undefined;
    }
    const report = toReport(e);
    if (e instanceof UserError && e.alreadyLogged) {
      logger.debug(`${commandId}: reported to the user: ${e.message}`);
    } else if (e instanceof UserError) {
      logger.error(`${commandId}: ${e.message}${e.detail ? `\n${e.detail}` : ''}`);
    } else {
      logger.error(`${commandId} failed: ${e instanceof Error && e.stack ? e.stack : messageOf(e)}`);
    }
    void reportFailure(commandId, report, logger, reporter);
    return undefined;
  }
}

function toReport(e: unknown): CommandFailureReport {
  if (e instanceof UserError) {
    const actions = e.actions.includes('showLogs') ? e.actions : [...e.actions, 'showLogs' as const];
    return { message: e.message, actions };
  }
  return { message: `Unexpected error: ${firstLine(messageOf(e))}`, actions: ['showLogs'] };
}

function firstLine(s: string): string {
  const line = s.split('\n', 1)[0] ?? s;
  return line.length > 300 ? `${line.slice(0, 297)}…` : line;
}

async function reportFailure(commandId: string, report: CommandFailureReport, logger: ILogger, reporter: CommandReporter): Promise<void> {
  try {
    const picked = await reporter.showError(report);
    if (picked) await reporter.runAction(picked, commandId);
  } catch (e) {
    logger.warn(`could not report the failure of ${commandId}: ${messageOf(e)}`);
  }
}
