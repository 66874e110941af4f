import * as vscode from 'vscode';
import { CancelledError, UserError } from '../core/base/errors';
import { type RequestLine, parseRequest } from '../core/cluster/requestLine';
import { redact } from '../core/telemetry/redact';

/** Characters of an answer's body shown in an output channel at most. */
const BODY_SHOWN = 20_000;

/**
 * The request line a Send Request command sends: its argument when it has one, else what the user
 * types (checked as it is typed), offered again the next time.
 */
export class RequestPrompt {
  private last = 'GET /';

  async ask(arg: unknown, title: string, prompt: string): Promise<RequestLine> {
    const line =
      typeof arg === 'string' && arg
        ? arg
        : await vscode.window.showInputBox({
            title,
            prompt,
            value: this.last,
            validateInput: (v) => {
              const parsed = parseRequest(v);
              return parsed.ok ? undefined : parsed.error;
            },
          });
    if (line === undefined) throw new CancelledError();
    const parsed = parseRequest(line);
    if (!parsed.ok) throw new UserError(`"${line}" is not a request. ${parsed.error}`);
    this.last = line;
    return parsed.value;
  }
}

/** An answer's body as an output channel shows it: secrets redacted, at most {@link BODY_SHOWN} characters. */
export function shownBody(body: string): string {
  return redact(body.length > BODY_SHOWN ? `${body.slice(0, BODY_SHOWN)}\n… (${body.length} characters)` : body);
}
