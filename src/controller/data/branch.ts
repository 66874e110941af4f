/**
 * Creates, branches and drops one slice database on the shared server.
 *
 * The platform role creates the database (and owns it) and manages the slice's LOGIN role only
 * through the definer functions of deploy/postgres/platform-role.sql. It never opens a session in
 * which anything a tenant wrote could run: the schema and rows are replayed over a connection that
 * logs in AS THE SLICE ROLE, with a password made new for this branch and known only to the
 * controller until the branch is committed and the Secret written (docs/threat-model.md).
 */
import { pipeline } from 'node:stream/promises';
import { type Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import {
  type BaselineCatalog, CATALOG_SQL, type ColumnRow, type ConstraintRow, type EnumRow, type IndexRow, type SequenceRow, type TableRow, type ViewRow,
  planBranch, quoteIdent, quoteLiteral, resolveCopyTables,
} from '../../core/slice/dataBranch';
import { type BranchMarker, type MarkedObject, markedFor, parseMarker } from '../../core/slice/dataPolicy';
import { type PgServer, withClient } from './pgServer';

/** The branch was not made because the name is not provably this slice's (never retried blindly). */
export class BranchRefused extends Error {}

/** Every marked database and role on the server (the platform reads pg_database/pg_roles only). */
export async function markedObjects(server: PgServer): Promise<{ databases: MarkedObject[]; roles: (MarkedObject & { canLogin: boolean })[] }> {
  return withClient(server, server.adminDb, async (c) => {
    const dbs = await c.query<{ name: string; comment: string | null; size: string | null }>(
      `SELECT datname::text AS name, shobj_description(oid, 'pg_database') AS comment,
              CASE WHEN has_database_privilege(oid, 'CONNECT') THEN pg_database_size(oid)::text END AS size
       FROM pg_database WHERE datname LIKE 'slice\\_%'`,
    );
    const roles = await c.query<{ name: string; comment: string | null; login: boolean }>(`SELECT rolname::text AS name, shobj_description(oid, 'pg_authid') AS comment, rolcanlogin AS login FROM pg_roles WHERE rolname LIKE 'slice\\_%'`);
    const withMarker = <T extends { name: string; comment: string | null }>(r: T) => ({ name: r.name, ...(parseMarker(r.comment) ? { marker: parseMarker(r.comment) } : {}) });
    return {
      databases: dbs.rows.map((r) => ({ ...withMarker(r), ...(r.size === null ? {} : { sizeBytes: Number(r.size) }) })),
      roles: roles.rows.map((r) => ({ ...withMarker(r), canLogin: r.login })),
    };
  });
}

/** Drops the database and the role of that name, each only if its marker is this slice's (`expect`) or, for orphans, any slice marker. */
export async function dropBranch(server: PgServer, name: string, expect?: { slice: string; uid: string }): Promise<void> {
  await withClient(server, server.adminDb, async (c) => {
    const db = await c.query<{ comment: string | null }>(`SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`, [name]);
    const row = db.rows[0];
    if (row) {
      const m = parseMarker(row.comment);
      if (!m || (expect && !markedFor(m, expect))) throw new BranchRefused(`the database ${name} does not carry ${expect ? `the marker of ${expect.slice}` : 'a slice marker'}: left alone`);
      await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    }
    await c.query('SELECT slice_admin.drop_role($1)', [name]);
  });
}

export interface BranchRequest {
  readonly name: string;
  readonly password: string;
  readonly baseline: string;
  readonly copy: readonly string[];
  readonly rowCap: number;
  readonly marker: Omit<BranchMarker, 'complete'>;
  /** The controller's log (never a status: the catalog of the baseline is not for every developer). */
  readonly log: (line: string) => void;
}

/**
 * (Re)creates the database `name` and fills it from the baseline. The caller decided (decideBranch)
 * that `name` is this slice's; the marker is checked again right before the DROP, in the same
 * session, so a database that changed hands meanwhile is never dropped. Returns the FKs added NOT VALID.
 */
export async function createBranch(server: PgServer, req: BranchRequest): Promise<{ notValid: readonly string[] }> {
  const id = quoteIdent(req.name);
  const incomplete = JSON.stringify({ ...req.marker, complete: false });
  const subject = { slice: req.marker['slice.dev/slice'], uid: req.marker.uid ?? '' };
  await withClient(server, server.adminDb, async (c) => {
    const cur = await c.query<{ comment: string | null }>(`SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`, [req.name]);
    const curRow = cur.rows[0];
    if (curRow && parseMarker(curRow.comment)?.['slice.dev/slice'] !== subject.slice) throw new BranchRefused(`a database named ${req.name} exists and is not this slice's: it is left alone (ask a platform admin)`);
    await c.query(`DROP DATABASE IF EXISTS ${id} WITH (FORCE)`);
    // a new password before anything else: whoever knew the last one (the owner, from her Secret) cannot log in during the replay
    await c.query('SELECT slice_admin.ensure_role($1, $2, $3)', [req.name, req.password, incomplete]);
    await c.query(`CREATE DATABASE ${id} TEMPLATE template0 ENCODING 'UTF8'`);
    await c.query(`COMMENT ON DATABASE ${id} IS ${quoteLiteral(incomplete)}`);
    await c.query(`REVOKE ALL ON DATABASE ${id} FROM PUBLIC`);
    await c.query(`GRANT CONNECT, TEMPORARY, CREATE ON DATABASE ${id} TO ${id}`);
  });
  // the new database is template0's copy, untouched by anyone: the platform lets the slice role create in its public schema
  await withClient(server, req.name, async (c) => void (await c.query(`GRANT USAGE, CREATE ON SCHEMA public TO ${id}`)));
  const notValid = await withClient(server, req.baseline, async (src) => {
    await src.query(`SET search_path = ''`);
    await src.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const cat = await readCatalog(src);
    const resolved = resolveCopyTables(req.copy, cat.tables, req.baseline);
    if (!resolved.ok) {
      req.log(`baseline database ${req.baseline} has: ${resolved.available}`);
      throw new Error(resolved.message);
    }
    const capped = new Set<string>();
    for (const t of resolved.tables) {
      const r = await src.query<{ over: boolean }>(`SELECT count(*) > $1 AS over FROM (SELECT 1 FROM ${quoteIdent(t.schema)}.${quoteIdent(t.name)} LIMIT $1 + 1) x`, [req.rowCap]);
      if (r.rows[0]?.over) capped.add(`${t.schema}.${t.name}`);
    }
    const plan = planBranch(cat, resolved.tables, capped, req.rowCap);
    // the replay runs as the slice role itself: a function it reaches runs with the slice's rights, never the platform's
    await withClient(server, req.name, async (dst) => {
      await dst.query(`SET search_path = ''`);
      await dst.query('BEGIN');
      for (const sql of plan.pre) await dst.query(sql);
      for (const step of plan.copies) await pipeline(src.query(copyTo(step.source)), dst.query(copyFrom(step.target)));
      for (const sql of plan.post) await dst.query(sql);
      await dst.query('COMMIT');
    }, { name: req.name, password: req.password });
    await src.query('COMMIT');
    return plan.notValid;
  });
  const done = quoteLiteral(JSON.stringify({ ...req.marker, complete: true }));
  await withClient(server, server.adminDb, async (c) => {
    await c.query(`COMMENT ON DATABASE ${id} IS ${done}`);
    await c.query('SELECT slice_admin.ensure_role($1, $2, $3)', [req.name, req.password, JSON.stringify({ ...req.marker, complete: true })]);
  });
  return { notValid };
}

/** The data quota: a slice role over it may not log in (and its sessions end); back under, it may again. */
export async function setLogin(server: PgServer, name: string, login: boolean): Promise<void> {
  await withClient(server, server.adminDb, async (c) => void (await c.query('SELECT slice_admin.set_login($1, $2)', [name, login])));
}

async function readCatalog(c: Client): Promise<BaselineCatalog> {
  const rows = async <T extends object>(sql: string): Promise<T[]> => (await c.query<T>(sql)).rows;
  return {
    schemas: await rows<{ name: string }>(CATALOG_SQL.schemas),
    enums: await rows<EnumRow>(CATALOG_SQL.enums),
    sequences: await rows<SequenceRow>(CATALOG_SQL.sequences),
    tables: await rows<TableRow>(CATALOG_SQL.tables),
    columns: await rows<ColumnRow>(CATALOG_SQL.columns),
    constraints: await rows<ConstraintRow>(CATALOG_SQL.constraints),
    indexes: await rows<IndexRow>(CATALOG_SQL.indexes),
    views: await rows<ViewRow>(CATALOG_SQL.views),
  };
}
