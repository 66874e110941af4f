import { type Result, err, ok } from '../base/result';

/** The HTTP request a user types for Send Request to Workload: `GET /orders`, `/orders`, `POST /orders {"item":"book"}`. */
export interface RequestLine {
  readonly method: string;
  readonly path: string;
  /** The rest of the line after the path (sent as JSON), when there is any. */
  readonly body: string | undefined;
}

/** The answer to one such request, as the editor shows it: status, headers, the body as text, the time it took. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  readonly ms: number;
}

export const REQUEST_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const;
export const REQUEST_EXAMPLE = 'GET /orders or POST /orders {"item":"book"}';

/**
 * A typed request line → its parts. The method is optional (GET, or POST when a body follows) and
 * case-insensitive; the path starts with `/` and runs to the first blank; the rest is the body.
 * Anything else is an error that says what is wrong and what to write.
 */
export function parseRequest(line: string): Result<RequestLine, string> {
  const text = line.trim();
  if (!text) return err(`Write a request, e.g. ${REQUEST_EXAMPLE}.`);
  const [first = '', ...rest] = text.split(/\s+/);
  let method: string | undefined;
  let afterMethod = text;
  if (!first.startsWith('/')) {
    if (!/^[a-z]+$/i.test(first)) return err(`"${first}" is neither a method nor a path: write e.g. ${REQUEST_EXAMPLE}.`);
    method = first.toUpperCase();
    if (!(REQUEST_METHODS as readonly string[]).includes(method)) return err(`${first} is not a method Send Request knows: use ${REQUEST_METHODS.slice(0, -1).join(', ')} or ${REQUEST_METHODS.at(-1)}, e.g. ${REQUEST_EXAMPLE}.`);
    if (rest.length === 0) return err(`${method} needs a path: write e.g. ${method} /orders.`);
    afterMethod = text.slice(first.length).trimStart();
    if (!afterMethod.startsWith('/')) return err(`The path must start with /: write ${method} /${rest[0] ?? ''}.`);
  }
  const m = /^(\/\S*)\s*([\s\S]*)$/.exec(afterMethod);
  const path = m?.[1] ?? afterMethod;
  const body = m?.[2]?.trim() || undefined;
  return ok({ method: method ?? (body ? 'POST' : 'GET'), path, body });
}
