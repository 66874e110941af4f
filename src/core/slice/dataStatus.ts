/**
 * Status of a slice's data branches: the DataReady condition (and its effect on Ready and the
 * phase), errors of the PostgreSQL server in words, and the retry backoff.
 */
import { setCondition } from './conditions';
import { type DataBranchStatus, type SliceCondition, type SlicePhase } from './sliceResource';

/** Connection-level failures: the server is down, unreachable or restarting; the slice retries. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006']);

export interface PgErrorLike {
  readonly code?: string;
  readonly message: string;
}

/** Is it worth retrying soon (the server may come back), as opposed to a configuration error? */
export function isUnreachable(e: PgErrorLike): boolean {
  return (e.code !== undefined && UNREACHABLE_CODES.has(e.code)) || /timeout|terminated unexpectedly|Connection terminated/i.test(e.message);
}

/** What went wrong talking to the server at `where` (host:port), in words, with what happens next. */
export function describePgError(e: PgErrorLike, where: string, baseline?: string): string {
  const msg = e.message || e.code || 'unknown error';
  if (isUnreachable(e)) return `PostgreSQL at ${where} is unreachable: ${msg}; the slice will retry`;
  if (e.code === '28P01' || e.code === '28000') return `PostgreSQL at ${where} refused the platform's credentials (${msg}): fix the Secret slice-system/slice-postgres-admin`;
  if (e.code === '3D000' && baseline) return `the baseline database "${baseline}" does not exist on PostgreSQL at ${where}`;
  if (e.code === '42501') return `the platform role lacks a privilege on PostgreSQL at ${where} (${msg}): apply deploy/postgres/platform-role.sql as a superuser (it needs CREATEDB, pg_read_all_data and the slice_admin functions)`;
  // data and integrity errors quote row values: the status is readable by every developer, the controller's log has the rest
  if (e.code && /^2[23]/.test(e.code)) return `branching from PostgreSQL at ${where} failed: the copied rows were refused (SQLSTATE ${e.code}; the controller's log has the details)`;
  return `branching from PostgreSQL at ${where} failed: ${msg}`;
}

/** 2 s, 4 s, 8 s … capped at 30 s (a returning server is noticed within half a minute), after `failures` consecutive failures (1-based). */
export function dataRetryDelayMs(failures: number): number {
  return Math.min(30_000, 2000 * 2 ** Math.max(0, Math.min(failures - 1, 10)));
}

/**
 * Adds DataReady to the conditions when the slice declares data; when a branch is not ready, Ready
 * turns False (reason DataNotReady) and a Ready phase becomes Provisioning (data failures retry; they never fail the slice).
 */
export function withDataCondition(
  derived: { phase: SlicePhase; conditions: SliceCondition[] },
  data: readonly DataBranchStatus[],
  previous: readonly SliceCondition[] | undefined,
  nowIso: string,
  generation?: number,
): { phase: SlicePhase; conditions: SliceCondition[] } {
  if (data.length === 0) return derived;
  const bad = data.filter((d) => !d.ready);
  const ok = bad.length === 0;
  const msg = ok
    ? `${data.map((d) => `${d.database} (from ${d.baseline})${d.message ? `: ${d.message}` : ''}`).join(', ')} ready`
    : bad.map((d) => `${d.baseline}: ${d.message ?? 'not ready'}`).join('; ');
  const dataCond = setCondition(previous, 'DataReady', ok ? 'True' : 'False', ok ? 'Branched' : 'DataNotReady', msg, nowIso, generation);
  const others = derived.conditions.filter((c) => c.type !== 'Ready');
  const ready = derived.conditions.find((c) => c.type === 'Ready');
  if (ok || !ready) return { phase: derived.phase, conditions: [...others, dataCond, ...(ready ? [ready] : [])] };
  const readyMsg = ready.status === 'True' ? msg : `${ready.message}; ${msg}`;
  const newReady = setCondition(previous, 'Ready', 'False', ready.status === 'True' ? 'DataNotReady' : ready.reason, readyMsg, nowIso, generation);
  return { phase: derived.phase === 'Ready' ? 'Provisioning' : derived.phase, conditions: [...others, dataCond, newReady] };
}
