import { ApiException } from '@kubernetes/client-node';
import { type RequestFailure } from '../../core/cluster/clusterProblem';
import { statusMessage } from '../../core/cluster/apiErrors';
import { messageOf } from '../../core/base/errors';

/** A body that is not JSON but shorter than this is shown as the server's message (`404 page not found`, a proxy's one-liner). */
const TEXT_BODY_LIMIT = 500;

/** Extracts the facts of a failed Kubernetes request from whatever the client library threw. */
export function toRequestFailure(e: unknown, timedOut: boolean): RequestFailure {
  if (e instanceof ApiException) {
    return { status: e.code, serverMessage: statusMessage(e.body, { keepTextBodyBelow: TEXT_BODY_LIMIT }), message: firstLine(e.message) };
  }
  const code = errorCode(e);
  const message = firstLine(messageOf(e));
  return { ...(code ? { code } : {}), message, timedOut: timedOut || (e instanceof Error && (e.name === 'AbortError' || e.name === 'TimeoutError')) };
}

function errorCode(e: unknown): string | undefined {
  for (let cur: unknown = e, depth = 0; cur && depth < 5; depth++) {
    if (typeof cur === 'object') {
      const o = cur as { code?: unknown; errno?: unknown; cause?: unknown };
      if (typeof o.code === 'string' && o.code) return o.code;
      if (typeof o.errno === 'string' && o.errno) return o.errno;
      cur = o.cause;
    } else break;
  }
  return undefined;
}

function firstLine(s: string): string {
  return s.split('\n', 1)[0] ?? s;
}
