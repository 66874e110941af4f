import type * as vscode from 'vscode';
import { type ILogger } from '../core/base/logger';

/** The core's logger port, backed by the "Slice" LogOutputChannel (its level is the user's to set). */
export function createLogger(channel: vscode.LogOutputChannel): ILogger {
  return {
    trace: (m, ...a) => channel.trace(m, ...a),
    debug: (m, ...a) => channel.debug(m, ...a),
    info: (m, ...a) => channel.info(m, ...a),
    warn: (m, ...a) => channel.warn(m, ...a),
    error: (m, ...a) => channel.error(m, ...a),
  };
}
