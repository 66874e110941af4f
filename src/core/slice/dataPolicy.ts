/**
 * The decisions of data branching, as pure functions of what the controller observed: which
 * databases a slice may branch from, whether a branch is kept, (re)created, deferred or refused,
 * which databases are orphans, and whether an owner is over the data quota. The controller only
 * carries them out (src/controller/data). The rules are the threat model's (docs/threat-model.md):
 * a tenant names things in a spec; nothing she names is trusted until checked here.
 */

/** Stored as the COMMENT of a slice database and of its role: whose they are and whether the branch completed. */
export interface BranchMarker {
  readonly 'slice.dev/slice': string;
  /** The Slice's uid: a later Slice of the same name is another slice. */
  readonly uid?: string;
  /** spec.owner, for the per-owner data quota. */
  readonly owner?: string;
  readonly baseline: string;
  readonly complete: boolean;
  readonly reset?: string;
  readonly branchedAt?: string;
}

export function parseMarker(comment: string | null | undefined): BranchMarker | undefined {
  if (!comment?.startsWith('{')) return undefined;
  try {
    const m = JSON.parse(comment) as Partial<BranchMarker>;
    return typeof m['slice.dev/slice'] === 'string' && typeof m.baseline === 'string' && typeof m.complete === 'boolean' ? (m as BranchMarker) : undefined;
  } catch {
    return undefined;
  }
}

/** Label on a baseline namespace naming the one database its slices may branch (set by a platform admin). */
export const LABEL_PG_BASELINE = 'slice.dev/postgres-baseline';
/** Annotation on a baseline namespace listing several such databases, comma-separated. */
export const ANNOTATION_PG_DATABASES = 'slice.dev/postgres-databases';

/** The databases a platform admin declared branchable for slices of this baseline namespace. */
export function declaredDatabases(ns: { readonly labels?: Readonly<Record<string, string>>; readonly annotations?: Readonly<Record<string, string>> }): string[] {
  const out = new Set<string>();
  const one = ns.labels?.[LABEL_PG_BASELINE]?.trim();
  if (one) out.add(one);
  for (const d of (ns.annotations?.[ANNOTATION_PG_DATABASES] ?? '').split(',')) if (d.trim()) out.add(d.trim());
  return [...out].sort();
}

/**
 * May a slice of `baselineNs` branch `database`? Only a database its baseline declares, and never a
 * slice's own database, the server's template or admin databases, whatever the declaration says.
 */
export function checkSource(database: string, declared: readonly string[], baselineNs: string, adminDb: string): { ok: true } | { ok: false; message: string } {
  if (database.startsWith('slice_') || ['template0', 'template1', adminDb].includes(database)) {
    return { ok: false, message: `"${database}" is not a baseline database: a slice can branch only the databases its baseline declares` };
  }
  if (!declared.includes(database)) {
    const what = declared.length > 0 ? `it declares ${declared.map((d) => `"${d}"`).join(', ')}` : `it declares none (a platform admin labels the namespace ${LABEL_PG_BASELINE}=<database>)`;
    return { ok: false, message: `the baseline ${baselineNs} does not declare the database "${database}" for branching: ${what}` };
  }
  return { ok: true };
}

export interface BranchSubject {
  /** The Slice object's name and uid, and its owner. */
  readonly slice: string;
  readonly uid: string;
  readonly owner: string;
  readonly baseline: string;
  /** spec.dataResetToken ('' when unset). */
  readonly reset: string;
}

export type BranchDecision =
  | { readonly kind: 'keep' }
  | { readonly kind: 'branch'; readonly why: string }
  /** A reset asked for too soon after the last branch: done at `atMs`. */
  | { readonly kind: 'wait'; readonly atMs: number; readonly why: string }
  /** The name is taken by something that is not this slice's: never dropped, never adopted. */
  | { readonly kind: 'refuse'; readonly message: string };

/** Is the database (or role) marked as this slice's? A marker without uid (older versions) matches by name. */
export function markedFor(marker: BranchMarker | undefined, subject: Pick<BranchSubject, 'slice' | 'uid'>): boolean {
  return !!marker && marker['slice.dev/slice'] === subject.slice && (marker.uid === undefined || marker.uid === subject.uid);
}

/**
 * What to do with the database named for `subject`. `existing` is undefined when no database has that
 * name. A database whose marker names another slice, or that carries no marker, is refused: the
 * controller never drops or reuses what it cannot prove is this slice's.
 */
export function decideBranch(existing: { readonly marker?: BranchMarker } | undefined, subject: BranchSubject, nowMs: number, minResetIntervalMs: number): BranchDecision {
  if (!existing) return { kind: 'branch', why: 'creating' };
  const m = existing.marker;
  if (!m || m['slice.dev/slice'] !== subject.slice || m.baseline !== subject.baseline) {
    return { kind: 'refuse', message: 'a database of that name exists and is not this slice\'s: it is left alone (ask a platform admin)' };
  }
  if (m.uid !== undefined && m.uid !== subject.uid) return { kind: 'branch', why: 're-creating (left behind by an earlier slice of the same name)' };
  if (!m.complete) return { kind: 'branch', why: 're-creating (the last branch did not complete)' };
  if ((m.reset ?? '') === subject.reset) return { kind: 'keep' };
  const last = m.branchedAt ? Date.parse(m.branchedAt) : NaN;
  if (Number.isFinite(last) && nowMs < last + minResetIntervalMs) {
    const atMs = last + minResetIntervalMs;
    return { kind: 'wait', atMs, why: `a reset is allowed once every ${Math.round(minResetIntervalMs / 1000)} s: this one runs at ${new Date(atMs).toISOString()}` };
  }
  return { kind: 'branch', why: 'resetting (spec.dataResetToken changed)' };
}

/** A slice database or role on the server, with its marker. */
export interface MarkedObject {
  readonly name: string;
  readonly marker?: BranchMarker;
  readonly sizeBytes?: number;
}

/**
 * Marked databases and roles whose Slice is gone (by name, or a uid that no longer matches): the
 * finalizer may have been removed before it ran, so the sweeper drops these. `live` maps each existing
 * Slice's name to its uid.
 */
export function orphans(objects: readonly MarkedObject[], live: ReadonlyMap<string, string>): string[] {
  const out = new Set<string>();
  for (const o of objects) {
    const m = o.marker;
    if (!m) continue;
    const uid = live.get(m['slice.dev/slice']);
    if (uid === undefined || (m.uid !== undefined && m.uid !== uid)) out.add(o.name);
  }
  return [...out].sort();
}

/** Bytes of all data branches an owner has on the server (complete or not). */
export function ownerDataBytes(databases: readonly MarkedObject[], owner: string): number {
  return databases.filter((d) => d.marker?.owner === owner).reduce((n, d) => n + (d.sizeBytes ?? 0), 0);
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${Math.max(0, Math.round(n / 1024))} KiB`;
}

/** Over the per-owner data quota? Then the owner's roles may not log in until they free space. */
export function dataQuotaProblem(usedBytes: number, maxBytes: number): string | undefined {
  if (maxBytes <= 0 || usedBytes <= maxBytes) return undefined;
  return `your data branches use ${formatBytes(usedBytes)}, over the ${formatBytes(maxBytes)} the platform allows per developer: their roles cannot log in until you reset a branch (Slice: Reset Data from Baseline) or delete a slice`;
}

/** rowCap as asked, capped by the platform; `note` says so when it was capped. */
export function effectiveRowCap(asked: number, max: number): { rowCap: number; note?: string } {
  if (max > 0 && asked > max) return { rowCap: max, note: `rowCap ${asked} is over the platform's limit: ${max} rows per table are copied` };
  return { rowCap: asked };
}
