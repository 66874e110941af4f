/**
 * Creates, branches and drops one slice database on the shared server: a LOGIN role and a database
 * it owns (CONNECT revoked from PUBLIC), the baseline's schema deparsed from its catalog, and the
 * selected rows streamed COPY TO STDOUT → COPY FROM STDIN, all in one transaction on the new database.
 */
import { pipeline } from 'node:stream/promises';
import { type Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import {
  type BaselineCatalog, CATALOG_SQL, type ColumnRow, type ConstraintRow, type EnumRow, type IndexRow, type SequenceRow, type TableRow, type ViewRow,
  planBranch, quoteIdent, quoteLiteral, resolveCopyTables,
} from '../../core/slice/dataBranch';
import { type PgServer, withClient } from './pgServer';

/** Stored as the COMMENT of the database and of the role: whose they are and whether the branch completed. */
export interface BranchMarker {
  readonly 'slice.dev/slice': string;
  readonly baseline: string;
  readonly complete: boolean;
  readonly reset?: string;
  readonly branchedAt?: string;
}

export interface ExistingBranch {
  readonly marker?: BranchMarker;
  readonly sizeBytes: number;
}

export function parseMarker(comment: string | null | undefined): BranchMarker | undefined {
  if (!comment?.startsWith('{')) return undefined;
  try {
    const m = JSON.parse(comment) as Partial<BranchMarker>;
    return typeof m['slice.dev/slice'] === 'string' && typeof m.baseline === 'string' ? (m as BranchMarker) : undefined;
  } catch {
    return undefined;
  }
}

export async function inspect(server: PgServer, database: string): Promise<ExistingBranch | undefined> {
  return withClient(server, server.adminDb, async (c) => {
    const r = await c.query<{ comment: string | null; size: string }>(`SELECT shobj_description(oid, 'pg_database') AS comment, pg_database_size(oid)::text AS size FROM pg_database WHERE datname = $1`, [database]);
    const row = r.rows[0];
    if (!row) return undefined;
    const marker = parseMarker(row.comment);
    return { ...(marker ? { marker } : {}), sizeBytes: Number(row.size) };
  });
}

/** Drops the database (terminating its connections) and the role of the same name. */
export async function dropBranch(server: PgServer, name: string): Promise<void> {
  await withClient(server, server.adminDb, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    await c.query(`DROP ROLE IF EXISTS ${quoteIdent(name)}`);
  });
}

/** Names of the databases and roles that carry the marker of `sliceObject`. */
export async function branchesOf(server: PgServer, sliceObject: string): Promise<string[]> {
  return withClient(server, server.adminDb, async (c) => {
    const r = await c.query<{ name: string; comment: string | null }>(
      `SELECT datname::text AS name, shobj_description(oid, 'pg_database') AS comment FROM pg_database
       UNION SELECT rolname::text, shobj_description(oid, 'pg_authid') FROM pg_roles`,
    );
    return [...new Set(r.rows.filter((x) => parseMarker(x.comment)?.['slice.dev/slice'] === sliceObject).map((x) => x.name))];
  });
}

export interface BranchRequest {
  readonly name: string;
  readonly password: string;
  readonly baseline: string;
  readonly copy: readonly string[];
  readonly rowCap: number;
  readonly marker: Omit<BranchMarker, 'complete'>;
}

/** Drops what is there under `name`, then creates role + database and fills it from the baseline. Returns the FKs added NOT VALID. */
export async function createBranch(server: PgServer, req: BranchRequest): Promise<{ notValid: readonly string[] }> {
  const id = quoteIdent(req.name);
  const incomplete = quoteLiteral(JSON.stringify({ ...req.marker, complete: false }));
  await withClient(server, server.adminDb, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${id} WITH (FORCE)`);
    const exists = await c.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [req.name]);
    const attrs = `LOGIN NOCREATEDB NOCREATEROLE INHERIT CONNECTION LIMIT 20 PASSWORD ${quoteLiteral(req.password)}`;
    await c.query(exists.rowCount ? `ALTER ROLE ${id} ${attrs}` : `CREATE ROLE ${id} ${attrs}`);
    await c.query(`COMMENT ON ROLE ${id} IS ${incomplete}`);
    await c.query(`GRANT ${id} TO CURRENT_USER`);
    await c.query(`CREATE DATABASE ${id} OWNER ${id} TEMPLATE template0 ENCODING 'UTF8'`);
    await c.query(`COMMENT ON DATABASE ${id} IS ${incomplete}`);
    await c.query(`REVOKE ALL ON DATABASE ${id} FROM PUBLIC`);
    await c.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${id} TO ${id}`);
    // the baseline too: a slice role must not even connect to it (a warning, not an error, when the platform does not own it)
    await c.query(`REVOKE CONNECT ON DATABASE ${quoteIdent(req.baseline)} FROM PUBLIC`);
  });
  const notValid = await withClient(server, req.baseline, async (src) => {
    await src.query(`SET search_path = ''`);
    await src.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const cat = await readCatalog(src);
    const resolved = resolveCopyTables(req.copy, cat.tables, req.baseline);
    if (!resolved.ok) throw new Error(resolved.message);
    const capped = new Set<string>();
    for (const t of resolved.tables) {
      const r = await src.query<{ over: boolean }>(`SELECT count(*) > $1 AS over FROM (SELECT 1 FROM ${quoteIdent(t.schema)}.${quoteIdent(t.name)} LIMIT $1 + 1) x`, [req.rowCap]);
      if (r.rows[0]?.over) capped.add(`${t.schema}.${t.name}`);
    }
    const plan = planBranch(cat, resolved.tables, capped, req.rowCap);
    await withClient(server, req.name, async (dst) => {
      await dst.query(`SET ROLE ${id}`);
      await dst.query(`SET search_path = ''`);
      await dst.query('BEGIN');
      for (const sql of plan.pre) await dst.query(sql);
      for (const step of plan.copies) await pipeline(src.query(copyTo(step.source)), dst.query(copyFrom(step.target)));
      for (const sql of plan.post) await dst.query(sql);
      await dst.query('COMMIT');
    });
    await src.query('COMMIT');
    return plan.notValid;
  });
  const done = quoteLiteral(JSON.stringify({ ...req.marker, complete: true }));
  await withClient(server, server.adminDb, async (c) => {
    await c.query(`COMMENT ON DATABASE ${id} IS ${done}`);
    await c.query(`COMMENT ON ROLE ${id} IS ${done}`);
  });
  return { notValid };
}

/** Sets the role's password (the Secret was lost and is written again). */
export async function setPassword(server: PgServer, name: string, password: string): Promise<void> {
  await withClient(server, server.adminDb, async (c) => void (await c.query(`ALTER ROLE ${quoteIdent(name)} PASSWORD ${quoteLiteral(password)}`)));
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
