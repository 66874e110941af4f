/**
 * The data branches of each slice: ensures every baseline database its forks declare has a branch
 * (created once, re-created when the branch is incomplete or spec.dataResetToken changes), that the
 * slice namespace holds its Secret, and drops a slice's databases and roles when it goes away.
 * Failures (server down, bad config) become a status with a message; retries back off per slice.
 */
import { createHmac } from 'node:crypto';
import type * as k8s from '@kubernetes/client-node';
import { dataBranches, dataSecretName, sliceDatabaseName } from '../../core/slice/dataBranch';
import { dataRetryDelayMs, describePgError, type PgErrorLike } from '../../core/slice/dataStatus';
import { renderDataSecret, type SliceContext } from '../../core/slice/manifests';
import { type PostgresPlatformConfig } from '../../core/slice/platformConfig';
import { type DataBranchStatus, type SliceObject } from '../../core/slice/sliceResource';
import { rfc3339 } from '../../core/slice/ttl';
import { type Applier } from '../applier';
import { apiMessage } from '../errors';
import { branchesOf, createBranch, dropBranch, inspect } from './branch';
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

  constructor(private readonly d: DataReconcilerDeps) {}

  private now(): number {
    return this.d.now?.() ?? Date.now();
  }

  /** Does the slice have (or had) data branches? Slices without them never touch the server. */
  static declares(slice: SliceObject): boolean {
    return dataBranches(slice.spec.forks).length > 0 || (slice.status?.data?.length ?? 0) > 0;
  }

  /** Milliseconds until the next retry of a failing slice (undefined when nothing is failing). */
  retryAfterMs(sliceObject: string): number | undefined {
    const b = this.backoff.get(sliceObject);
    return b ? Math.max(1000, b.nextAt - this.now()) : undefined;
  }

  async ensure(slice: SliceObject, ctx: SliceContext): Promise<DataBranchStatus[]> {
    const specs = dataBranches(slice.spec.forks);
    if (specs.length === 0) return [];
    const prior = this.backoff.get(ctx.objectName);
    if (prior && this.now() < prior.nextAt) return prior.last;
    let server: PgServer | undefined;
    const out: DataBranchStatus[] = [];
    let failed = false;
    for (const spec of specs) {
      const name = sliceDatabaseName(ctx.objectName, spec.baseline);
      const secret = dataSecretName(spec.baseline);
      try {
        server ??= await readPgServer(this.d.kc, this.d.namespace, this.d.config.adminSecret);
        const reset = slice.spec.dataResetToken ?? '';
        const have = await inspect(server, name);
        const m = have?.marker;
        let branchedAt = m?.branchedAt;
        let sizeBytes = have?.sizeBytes;
        const password = derivePassword(server.secretKey, name, slice.metadata.uid ?? '');
        if (!m?.complete || m.baseline !== spec.baseline || (m.reset ?? '') !== reset) {
          const why = !have ? 'creating' : !m?.complete ? 're-creating (the last branch did not complete)' : 'resetting (spec.dataResetToken changed)';
          this.d.log(`slice ${ctx.objectName}: ${why} database ${name} from ${spec.baseline} (copy ${spec.copy.join(', ') || 'no rows'}, cap ${spec.rowCap})`);
          branchedAt = rfc3339(this.now());
          const r = await createBranch(server, {
            name, password, baseline: spec.baseline, copy: spec.copy, rowCap: spec.rowCap,
            marker: { 'slice.dev/slice': ctx.objectName, baseline: spec.baseline, reset, branchedAt },
          });
          if (r.notValid.length > 0) this.d.log(`slice ${ctx.objectName}: foreign keys added NOT VALID (capped or uncopied parents): ${r.notValid.join(', ')}`);
          sizeBytes = (await inspect(server, name))?.sizeBytes;
        }
        await this.d.applier.createOnce(renderDataSecret(ctx, secret, {
          url: server.urlFor(name, { name, password }), host: server.host, port: server.port, database: name, user: name, password,
        }));
        out.push({ baseline: spec.baseline, database: name, ready: true, secret, ...(sizeBytes === undefined ? {} : { sizeBytes }), ...(branchedAt ? { branchedAt } : {}) });
      } catch (e) {
        failed = true;
        const message = this.explain(e, server, spec.baseline);
        this.d.log(`slice ${ctx.objectName}: data branch ${name}: ${message}`);
        out.push({ baseline: spec.baseline, database: name, ready: false, secret, message });
      }
    }
    if (failed) {
      const failures = (prior?.failures ?? 0) + 1;
      this.backoff.set(ctx.objectName, { failures, nextAt: this.now() + dataRetryDelayMs(failures), last: out });
    } else this.backoff.delete(ctx.objectName);
    return out;
  }

  /** Drops every database and role carrying the slice's marker. Throws (the finalizer retries) when the server cannot be reached. */
  async drop(sliceObject: string): Promise<void> {
    this.backoff.delete(sliceObject);
    let server: PgServer;
    try {
      server = await readPgServer(this.d.kc, this.d.namespace, this.d.config.adminSecret);
    } catch (e) {
      if (e instanceof ConfigError) {
        this.d.log(`slice ${sliceObject}: cannot drop its data branches: ${e.message}`);
        return;
      }
      throw e;
    }
    try {
      for (const name of await branchesOf(server, sliceObject)) {
        this.d.log(`slice ${sliceObject}: dropping database and role ${name}`);
        await dropBranch(server, name);
      }
    } catch (e) {
      throw new Error(this.explain(e, server), { cause: e });
    }
  }

  private explain(e: unknown, server: PgServer | undefined, baseline?: string): string {
    if (e instanceof ConfigError) return e.message;
    const err = e as Partial<PgErrorLike> & { message?: string };
    if (!server) return `cannot read the platform's PostgreSQL settings: ${apiMessage(e)}`;
    return describePgError({ message: err.message ?? String(e), ...(typeof err.code === 'string' ? { code: err.code } : {}) }, server.where, baseline);
  }
}

/** The slice role's password: HMAC of the database name and the Slice's uid under the admin DSN, so it needs no storage besides the Secret. */
export function derivePassword(key: string, name: string, uid: string): string {
  return createHmac('sha256', key).update(`${name}/${uid}`).digest('base64url').slice(0, 32);
}
