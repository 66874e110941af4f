/** What went wrong talking to a cluster, in terms a developer can act on. */
export type ClusterProblemKind = 'unreachable' | 'timeout' | 'tls' | 'unauthorized' | 'forbidden' | 'notFound' | 'conflict' | 'server' | 'unknown';

export interface ClusterProblem {
  readonly kind: ClusterProblemKind;
  /** One or two sentences: what happened and what to do. No stack, no raw JSON. */
  readonly message: string;
  /** The raw cause, for the log. */
  readonly detail: string;
}

/** The facts an adapter can extract from a failed request, whatever client produced it. */
export interface RequestFailure {
  /** Node/OS error code, e.g. ECONNREFUSED, ENOTFOUND, ETIMEDOUT, CERT_HAS_EXPIRED. */
  readonly code?: string;
  /** HTTP status, when the server answered. */
  readonly status?: number;
  /** The Kubernetes Status message, when the server sent one. */
  readonly serverMessage?: string;
  /** The error's own message. */
  readonly message: string;
  readonly timedOut?: boolean;
}

export interface ProblemContext {
  readonly contextName: string;
  readonly server?: string;
  readonly user?: string;
  /** What we were doing, e.g. "list namespaces". */
  readonly action: string;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE', 'ENOENT', 'EADDRNOTAVAIL']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ABORT_ERR']);
const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

/** Turns a failed request into a ClusterProblem with a clear, actionable message. */
export function classifyRequestFailure(f: RequestFailure, ctx: ProblemContext): ClusterProblem {
  const where = ctx.server ? `${ctx.server} (context "${ctx.contextName}")` : `context "${ctx.contextName}"`;
  const who = ctx.user ? `user "${ctx.user}"` : 'your identity';
  const detail = [f.code, f.status, f.serverMessage, f.message].filter((x) => x !== undefined && x !== '').join(' | ');
  if (f.timedOut || (f.code && TIMEOUT_CODES.has(f.code))) {
    return { kind: 'timeout', message: `The cluster at ${where} did not answer in time. Check your network or VPN, then retry.`, detail };
  }
  if (f.code && NETWORK_CODES.has(f.code)) {
    const why = f.code === 'ENOTFOUND' || f.code === 'EAI_AGAIN' ? 'its host name does not resolve' : f.code === 'ECONNREFUSED' ? 'the connection was refused' : `the network said ${f.code}`;
    return { kind: 'unreachable', message: `Cannot reach the cluster at ${where}: ${why}. Check that the cluster is running and your network or VPN, then retry.`, detail };
  }
  if (f.code && TLS_CODES.has(f.code)) {
    const why = f.code === 'CERT_HAS_EXPIRED' ? 'a certificate has expired' : 'its certificate could not be verified';
    return { kind: 'tls', message: `The secure connection to ${where} failed: ${why}. Refresh your kubeconfig's credentials or certificate authority.`, detail };
  }
  if (f.status === 401) {
    return { kind: 'unauthorized', message: `The cluster at ${where} rejected the credentials of ${who}: they are missing, invalid or expired. Log in again or refresh your kubeconfig.`, detail };
  }
  if (f.status === 403) {
    // An admission policy's denial says exactly what rule was broken: pass it on.
    const admission = f.serverMessage && /denied request|ValidatingAdmissionPolicy|admission webhook/i.test(f.serverMessage) ? policyReason(f.serverMessage) : undefined;
    if (admission) return { kind: 'forbidden', message: `The cluster refused to ${ctx.action}: ${admission}`, detail };
    // Inside a namespace, a 403 is the namespace's own access (a baseline is the platform's, a slice
    // its owner's): the developer role would not open it. Only a cluster-wide refusal means the role is missing.
    const namespace = f.serverMessage ? /in the namespace "([^"]+)"/.exec(f.serverMessage)?.[1] : undefined;
    if (namespace) {
      return { kind: 'forbidden', message: `${capitalize(who)} may not ${ctx.action}: namespace ${namespace} is not open to you (a baseline is read by the platform, a slice only by its owner).`, detail };
    }
    return { kind: 'forbidden', message: `${capitalize(who)} may not ${ctx.action} in ${where}. Ask your platform team for the Slice developer role.`, detail };
  }
  if (f.status === 409) {
    return { kind: 'conflict', message: `Could not ${ctx.action}: it already exists or was changed meanwhile${f.serverMessage ? ` (${f.serverMessage})` : ''}.`, detail };
  }
  if (f.status === 422 || f.status === 400) {
    return { kind: 'unknown', message: `The cluster rejected the request to ${ctx.action}: ${f.serverMessage ?? f.message}`, detail };
  }
  if (f.status === 404) {
    return { kind: 'notFound', message: `The cluster at ${where} has no such resource (${ctx.action}). It may lack the Slice platform bundle.`, detail };
  }
  if (f.status !== undefined && f.status >= 500) {
    return { kind: 'server', message: `The cluster at ${where} failed to ${ctx.action} (HTTP ${f.status}${f.serverMessage ? `: ${f.serverMessage}` : ''}). Retry in a moment.`, detail };
  }
  return { kind: 'unknown', message: `Could not ${ctx.action} in ${where}: ${f.serverMessage ?? f.message}.`, detail };
}

/** The human part of an admission denial: after "denied request:", else the whole message. */
function policyReason(message: string): string {
  const m = /denied request:\s*(.*)$/s.exec(message);
  const reason = (m?.[1] ?? message).trim();
  return /[.!?]$/.test(reason) ? reason : `${reason}.`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
