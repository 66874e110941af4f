import type * as vscode from 'vscode';
import { type ILogger } from '../core/base/logger';
import { redact } from '../core/telemetry/redact';

/**
 * The core's logger port, backed by the "Slice" LogOutputChannel (its level is the user's to set).
 * Secret-looking values (connection-string passwords, tokens, keys) are masked before they are written.
 */
export function createLogger(channel: vscode.LogOutputChannel): ILogger {
  const clean = (a: unknown[]) => a.map((x) => (typeof x === 'string' ? redact(x) : x));
  return {
    trace: (m, ...a) => channel.trace(redact(m), ...clean(a)),
    debug: (m, ...a) => channel.debug(redact(m), ...clean(a)),
    info: (m, ...a) => channel.info(redact(m), ...clean(a)),
    warn: (m, ...a) => channel.warn(redact(m), ...clean(a)),
    error: (m, ...a) => channel.error(typeof m === 'string' ? redact(m) : m, ...clean(a)),
  };
}
