/**
 * The data branches of each slice: ensures every baseline database its forks declare (and its
 * baseline namespace allows) has a branch, created once and re-created when incomplete or reset
 * (no more often than the platform allows), that the slice namespace holds its Secret with the
 * branch's current password, that the owner stays within the data quota, and drops a slice's
 * databases and roles when it goes away or when they fall out of its spec. The decisions are pure
 * (src/core/slice/dataPolicy.ts); this class reads the server, decides, and carries them out.
 * Failures (server down, bad config) become a status with a message; retries back off per slice.
 */
import { createHmac } from 'node:crypto';
import type * as k8s from '@kubernetes/client-node';
import { dataBranches, dataSecretName, sliceDatabaseName } from '../../core/slice/dataBranch';
import { type BranchSubject, checkSource, dataQuotaProblem, decideBranch, effectiveRowCap, type MarkedObject, markedFor, orphans, ownerDataBytes } from '../../core/slice/dataPolicy';
import { dataRetryDelayMs, describePgError, type PgErrorLike } from '../../core/slice/dataStatus';
import { renderDataSecret, type SliceContext } from '../../core/slice/manifests';
import { type PostgresPlatformConfig } from '../../core/slice/platformConfig';
import { type DataBranchStatus, type SliceObject } from '../../core/slice/sliceResource';
import { rfc3339 } from '../../core/slice/ttl';
import { type Applier } from '../applier';
import { apiMessage } from '../errors';
import { BranchRefused, createBranch, dropBranch, markedObjects, setLogin } from './branch';
import { ConfigError, type PgServer, readPgServer } from './pgServer';

export interface DataReconcilerDeps {
  readonly kc: k8s.KubeConfig;
  readonly namespace: string;
  readonly config: PostgresPlatformConfig;
  readonly applier: Applier;
  readonly log: (line: string) => void;
  readonly now?: () => number;
}

interface Backoff { failures: number; nextAt: number; last: DataBranchStatus[] }

export class DataReconciler {
  private readonly backoff = new Map<string, Backoff>();
  /** Slices with a deferred reset: when to look again. */
  private readonly wakeAt = new Map<string, number>();

  constructor(private readonly d: DataReconcilerDeps) {}

  private now(): number {
    return this.d.now?.() ?? Date.now();
  }

  /** Does the slice have (or had) data branches? Slices without them never touch the server. */
  static declares(slice: SliceObject): boolean {
    return dataBranches(slice.spec.forks).length > 0 || (slice.status?.data?.length ?? 0) > 0;
  }

  /** Milliseconds until the slice should be looked at again for its data (undefined: nothing pending). */
  retryAfterMs(sliceObject: string): number | undefined {
    const b = this.backoff.get(sliceObject);
    const w = this.wakeAt.get(sliceObject);
    const at = Math.min(b?.nextAt ?? Infinity, w ?? Infinity);
    return Number.isFinite(at) ? Math.max(1000, at - this.now()) : undefined;
  }

  /** `declared`: the databases the slice's baseline namespace declares branchable. */
  async ensure(slice: SliceObject, ctx: SliceContext, declared: readonly string[]): Promise<DataBranchStatus[]> {
    const specs = dataBranches(slice.spec.forks);
    const prior = this.backoff.get(ctx.objectName);
    if (prior && this.now() < prior.nextAt) return prior.last;
    if (specs.length === 0 && (slice.status?.data?.length ?? 0) === 0) return [];
    this.wakeAt.delete(ctx.objectName);
    let server: PgServer | undefined;
    const out: DataBranchStatus[] = [];
    let failed = false;
    const subjectOf = (baseline: string): BranchSubject => ({ slice: ctx.objectName, uid: slice.metadata.uid ?? '', owner: ctx.owner, baseline, reset: slice.spec.dataResetToken ?? '' });
    try {
      server = await readPgServer(this.d.kc, this.d.namespace, this.d.config.adminSecret);
      let seen = await markedObjects(server);
      const wanted = new Set<string>();
      for (const spec of specs) {
        const name = sliceDatabaseName(ctx.objectName, spec.baseline);
        wanted.add(name);
        out.push(await this.ensureOne(server, ctx, subjectOf(spec.baseline), name, spec, declared, seen.databases.find((x) => x.name === name)).catch((e: unknown) => {
          failed ||= !(e instanceof BranchRefused);
          const message = e instanceof BranchRefused ? e.message : this.explain(e, server, spec.baseline);
          this.d.log(`slice ${ctx.objectName}: data branch ${name}: ${message}${e instanceof Error && e.message !== message ? ` (${e.message})` : ''}`);
          return { baseline: spec.baseline, database: name, ready: false, secret: dataSecretName(spec.baseline), message };
        }));
      }
      // what this slice has on the server but no longer asks for (a fork's data removed, an older name)
      const stale = new Set([...seen.databases, ...seen.roles].filter((o) => !wanted.has(o.name) && markedFor(o.marker, subjectOf(''))).map((o) => o.name));
      for (const name of stale) {
        this.d.log(`slice ${ctx.objectName}: dropping ${name} (no longer in the spec)`);
        await dropBranch(server, name, { slice: ctx.objectName, uid: slice.metadata.uid ?? '' });
      }
      seen = await markedObjects(server);
      return await this.enforceQuota(server, ctx, seen, out);
    } catch (e) {
      failed = true;
      const message = this.explain(e, server);
      this.d.log(`slice ${ctx.objectName}: data branches: ${message}`);
      const done = new Set(out.map((o) => o.baseline));
      for (const spec of specs) if (!done.has(spec.baseline)) out.push({ baseline: spec.baseline, database: sliceDatabaseName(ctx.objectName, spec.baseline), ready: false, secret: dataSecretName(spec.baseline), message });
      return out;
    } finally {
      if (failed) {
        const failures = (prior?.failures ?? 0) + 1;
        this.backoff.set(ctx.objectName, { failures, nextAt: this.now() + dataRetryDelayMs(failures), last: out });
      } else this.backoff.delete(ctx.objectName);
    }
  }

  private async ensureOne(server: PgServer, ctx: SliceContext, subject: BranchSubject, name: string, spec: ReturnType<typeof dataBranches>[number], declared: readonly string[], existing: MarkedObject | undefined): Promise<DataBranchStatus> {
    const secret = dataSecretName(spec.baseline);
    const source = checkSource(spec.baseline, declared, ctx.baseline, server.adminDb);
    if (!source.ok) throw new BranchRefused(source.message);
    const { rowCap, note } = effectiveRowCap(spec.rowCap, this.d.config.maxRowCap);
    const decision = decideBranch(existing, subject, this.now(), this.d.config.resetMinIntervalMs);
    if (decision.kind === 'refuse') throw new BranchRefused(decision.message);
    let branchedAt = existing?.marker?.branchedAt;
    let sizeBytes = existing?.sizeBytes;
    const notes = note ? [note] : [];
    if (decision.kind === 'wait') {
      this.wakeAt.set(ctx.objectName, Math.min(this.wakeAt.get(ctx.objectName) ?? Infinity, decision.atMs));
      notes.push(decision.why);
    }
    if (decision.kind === 'branch') {
      this.d.log(`slice ${ctx.objectName}: ${decision.why} database ${name} from ${spec.baseline} (copy ${spec.copy.join(', ') || 'no rows'}, cap ${rowCap})`);
      branchedAt = rfc3339(this.now());
      const r = await createBranch(server, {
        name, password: derivePassword(server.secretKey, name, subject.uid, branchedAt), baseline: spec.baseline, copy: spec.copy, rowCap, log: (l) => this.d.log(`slice ${ctx.objectName}: ${l}`),
        marker: { 'slice.dev/slice': ctx.objectName, uid: subject.uid, owner: subject.owner, baseline: spec.baseline, reset: subject.reset, branchedAt },
      });
      if (r.notValid.length > 0) this.d.log(`slice ${ctx.objectName}: foreign keys added NOT VALID (capped or uncopied parents): ${r.notValid.join(', ')}`);
      sizeBytes = undefined;
    }
    const password = derivePassword(server.secretKey, name, subject.uid, branchedAt ?? '');
    // applied, not created once: each branch has a new password, and the Secret follows it
    await this.d.applier.apply(renderDataSecret(ctx, secret, { url: server.urlFor(name, { name, password }), host: server.host, port: server.port, database: name, user: name, password }));
    return {
      baseline: spec.baseline, database: name, ready: true, secret,
      ...(sizeBytes === undefined ? {} : { sizeBytes }), ...(branchedAt ? { branchedAt } : {}), ...(notes.length > 0 ? { message: notes.join('; ') } : {}),
    };
  }

  /** Over the owner's data quota: every role of the owner is NOLOGIN and the branches say why; under it, this slice's roles log in again. */
  private async enforceQuota(server: PgServer, ctx: SliceContext, seen: { databases: MarkedObject[]; roles: (MarkedObject & { canLogin?: boolean })[] }, out: DataBranchStatus[]): Promise<DataBranchStatus[]> {
    const sized = out.map((b) => {
      const sizeBytes = seen.databases.find((x) => x.name === b.database)?.sizeBytes;
      return sizeBytes === undefined ? b : { ...b, sizeBytes };
    });
    const problem = dataQuotaProblem(ownerDataBytes(seen.databases, ctx.owner), this.d.config.maxBytesPerOwner);
    const mine = new Set(out.filter((b) => b.ready).map((b) => b.database));
    for (const r of seen.roles) {
      const owners = r.marker?.owner === ctx.owner;
      if (problem && owners && r.canLogin) await setLogin(server, r.name, false);
      if (!problem && mine.has(r.name) && r.canLogin === false) await setLogin(server, r.name, true);
    }
    if (!problem) return sized;
    this.d.log(`slice ${ctx.objectName}: ${problem}`);
    return sized.map((b) => ({ ...b, ready: false, message: problem }));
  }

  /** Drops every database and role carrying the slice's marker. Throws (the finalizer retries) when the server cannot be reached. */
  async drop(sliceObject: string, uid: string): Promise<void> {
    this.backoff.delete(sliceObject);
    this.wakeAt.delete(sliceObject);
    const server = await this.serverOrNothing(`slice ${sliceObject}: cannot drop its data branches`);
    if (!server) return;
    try {
      const seen = await markedObjects(server);
      for (const name of new Set([...seen.databases, ...seen.roles].filter((o) => markedFor(o.marker, { slice: sliceObject, uid })).map((o) => o.name))) {
        this.d.log(`slice ${sliceObject}: dropping database and role ${name}`);
        await dropBranch(server, name, { slice: sliceObject, uid });
      }
    } catch (e) {
      throw new Error(this.explain(e, server), { cause: e });
    }
  }

  /**
   * Drops the databases and roles whose Slice is gone: the safety net for a finalizer removed
   * before it ran (or a controller stopped half-way). `listLive`: every Slice's name → uid, read fresh
   * from the API server AFTER the server's markers (a Slice created meanwhile is then in the list).
   */
  async sweepOrphans(listLive: () => Promise<ReadonlyMap<string, string>>): Promise<void> {
    const server = await this.serverOrNothing('data sweep skipped');
    if (!server) return;
    const seen = await markedObjects(server);
    const live = await listLive();
    for (const name of orphans([...seen.databases, ...seen.roles], live)) {
      this.d.log(`database/role ${name} belongs to a Slice that no longer exists: dropping it`);
      await dropBranch(server, name).catch((e: unknown) => this.d.log(`could not drop ${name}: ${this.explain(e, server)}`));
    }
  }

  private async serverOrNothing(what: string): Promise<PgServer | undefined> {
    try {
      return await readPgServer(this.d.kc, this.d.namespace, this.d.config.adminSecret);
    } catch (e) {
      if (e instanceof ConfigError) {
        this.d.log(`${what}: ${e.message}`);
        return undefined;
      }
      throw e;
    }
  }

  /** In words, for the status (every developer can read it): the server's own message only for connection and privilege errors, never row values. */
  private explain(e: unknown, server: PgServer | undefined, baseline?: string): string {
    if (e instanceof ConfigError || e instanceof BranchRefused) return e.message;
    const err = e as Partial<PgErrorLike> & { message?: string };
    if (!server) return `cannot read the platform's PostgreSQL settings: ${apiMessage(e)}`;
    return describePgError({ message: err.message ?? String(e), ...(typeof err.code === 'string' ? { code: err.code } : {}) }, server.where, baseline);
  }
}

/**
 * The slice role's password for one branch: HMAC of the database name, the Slice's uid and the time of
 * the branch under the admin DSN. Every branch (and reset) has a new one; it needs no storage besides
 * the Secret, and the owner cannot derive it.
 */
export function derivePassword(key: string, name: string, uid: string, branchedAt: string): string {
  return createHmac('sha256', key).update(`${name}/${uid}/${branchedAt}`).digest('base64url').slice(0, 32);
}
