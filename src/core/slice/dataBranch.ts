/**
 * A slice's data branch, the pure part: names of the per-slice database and role, the catalog
 * queries run on the baseline database, and the SQL plan built from their rows with the server's own
 * deparsers (format_type, pg_get_expr, pg_get_constraintdef, pg_get_indexdef, pg_get_viewdef).
 * Source sessions run with `search_path = ''`, so every deparsed name comes schema-qualified.
 *
 * Capped rows and foreign keys: rows are copied per table (ordered by primary key, at most rowCap),
 * then constraints are added. A foreign key is added VALID when its rows are complete (the child was
 * not copied, or child and parent were both copied without hitting the cap); otherwise NOT VALID:
 * new writes are still checked, the copied sample is kept as it is.
 */
import { digestHex } from '../base/digest';
import { type ForkSpec, type PostgresDataSpec } from './sliceResource';

export const DEFAULT_ROW_CAP = 10_000;
export const DEFAULT_DATA_ENV = 'DATABASE_URL';
export const DATA_SECRET_URL_KEY = 'url';
const PG_MAX_IDENT = 63;

/** PostgreSQL identifier, always quoted ("" doubled). */
export function quoteIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

/** PostgreSQL string literal (standard_conforming_strings on: only ' is doubled). */
export function quoteLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/**
 * `slice_<readable>_<16 hex digits of SHA-256 of "<sliceObject>/<baselineDb>">`, in [a-z0-9_], at most
 * 63 bytes. Also the role's name. The digest makes every (slice, database) pair its own name: no
 * choice of slice or database name can make two pairs meet (a forced collision would need a second
 * preimage of SHA-256's first 64 bits), and the branch code still checks the marker before any DROP.
 */
export function sliceDatabaseName(sliceObject: string, baselineDb: string): string {
  const readable = `${sliceObject}_${baselineDb}`.toLowerCase().replace(/[^a-z0-9_]+/g, '_').slice(0, PG_MAX_IDENT - 24).replace(/_+$/, '');
  return `slice_${readable}_${digestHex(`${sliceObject}/${baselineDb}`, 16)}`;
}

/** The Secret in the slice namespace holding the connection URL for one baseline database. */
export function dataSecretName(baselineDb: string): string {
  const slug = baselineDb.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'db';
  return `slice-data-${slug}${slug === baselineDb ? '' : `-${digestHex(baselineDb, 8)}`}`;
}

/** One data branch of a slice: a baseline database used by one or more forks. */
export interface DataBranchSpec {
  readonly baseline: string;
  /** Tables to copy rows of (union over the forks that use the database), as given. */
  readonly copy: readonly string[];
  readonly rowCap: number;
  /** Fork workload → the env variable that gets the URL. */
  readonly envByFork: Readonly<Record<string, string>>;
}

/** The distinct databases the forks declare (a database shared by forks is branched once). */
export function dataBranches(forks: readonly ForkSpec[]): DataBranchSpec[] {
  const out = new Map<string, { copy: Set<string>; rowCap: number; envByFork: Record<string, string> }>();
  for (const f of forks) {
    const pg: PostgresDataSpec | undefined = f.data?.postgres;
    if (!pg) continue;
    const b = out.get(pg.database) ?? { copy: new Set<string>(), rowCap: 0, envByFork: {} };
    for (const t of pg.copy ?? []) b.copy.add(t);
    b.rowCap = Math.max(b.rowCap, pg.rowCap ?? DEFAULT_ROW_CAP);
    b.envByFork[f.workload] = pg.env ?? DEFAULT_DATA_ENV;
    out.set(pg.database, b);
  }
  return [...out].map(([baseline, b]) => ({ baseline, copy: [...b.copy].sort(), rowCap: b.rowCap, envByFork: b.envByFork }));
}

/** Objects of these schemas are the server's, not the application's. */
const USER_SCHEMA = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`;
/** Not created by an extension (those come with CREATE EXTENSION, which a slice role cannot run). */
const NOT_EXTENSION = (oid: string, catalog: string) => `NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = ${oid} AND e.classid = '${catalog}'::regclass AND e.deptype = 'e')`;

/** Catalog queries on the baseline database; each row type below names its columns. */
export const CATALOG_SQL = {
  schemas: `SELECT n.nspname AS name FROM pg_namespace n WHERE ${USER_SCHEMA} AND n.nspname <> 'public' AND ${NOT_EXTENSION('n.oid', 'pg_namespace')} ORDER BY n.oid`,
  enums: `SELECT n.nspname AS schema, t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder)::text[] AS labels
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_enum e ON e.enumtypid = t.oid
    WHERE ${USER_SCHEMA} AND ${NOT_EXTENSION('t.oid', 'pg_type')} GROUP BY t.oid, n.nspname, t.typname ORDER BY t.oid`,
  sequences: `SELECT n.nspname AS schema, c.relname AS name, format_type(s.seqtypid, NULL) AS type, s.seqstart::text AS start, s.seqincrement::text AS increment,
      s.seqmin::text AS min, s.seqmax::text AS max, s.seqcache::text AS cache, s.seqcycle AS cycle,
      tn.nspname AS owned_schema, tc.relname AS owned_table, a.attname::text AS owned_column
    FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_depend d ON d.objid = c.oid AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
    LEFT JOIN pg_class tc ON tc.oid = d.refobjid LEFT JOIN pg_namespace tn ON tn.oid = tc.relnamespace
    LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
    WHERE ${USER_SCHEMA} AND d.deptype IS DISTINCT FROM 'i' AND ${NOT_EXTENSION('c.oid', 'pg_class')} ORDER BY c.oid`,
  tables: `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'r' AND NOT c.relispartition AND ${USER_SCHEMA} AND ${NOT_EXTENSION('c.oid', 'pg_class')} ORDER BY c.oid`,
  columns: `SELECT n.nspname AS schema, c.relname AS table, a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
      pg_get_expr(ad.adbin, ad.adrelid) AS default, a.attidentity::text AS identity, a.attgenerated::text AS generated
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
    WHERE c.relkind = 'r' AND NOT c.relispartition AND a.attnum > 0 AND NOT a.attisdropped AND ${USER_SCHEMA} ORDER BY c.oid, a.attnum`,
  constraints: `SELECT n.nspname AS schema, c.relname AS table, co.conname::text AS name, co.contype::text AS type, pg_get_constraintdef(co.oid) AS def,
      rn.nspname AS ref_schema, rc.relname AS ref_table,
      ARRAY(SELECT a.attname::text FROM unnest(co.conkey) WITH ORDINALITY k(num, i) JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = k.num ORDER BY k.i)::text[] AS columns
    FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_class rc ON rc.oid = co.confrelid LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
    WHERE co.contype IN ('p', 'u', 'c', 'f', 'x') AND c.relkind = 'r' AND NOT c.relispartition AND co.conislocal AND ${USER_SCHEMA} ORDER BY c.oid, co.oid`,
  indexes: `SELECT n.nspname AS schema, c.relname AS table, ic.relname AS name, pg_get_indexdef(i.indexrelid) AS def
    FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'r' AND NOT c.relispartition AND ${USER_SCHEMA}
      AND NOT EXISTS (SELECT 1 FROM pg_constraint co WHERE co.conindid = i.indexrelid AND co.contype IN ('p', 'u', 'x')) ORDER BY i.indexrelid`,
  views: `SELECT n.nspname AS schema, c.relname AS name, pg_get_viewdef(c.oid) AS def FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'v' AND ${USER_SCHEMA} AND ${NOT_EXTENSION('c.oid', 'pg_class')} ORDER BY c.oid`,
} as const;

export interface EnumRow { schema: string; name: string; labels: string[] }
export interface SequenceRow { schema: string; name: string; type: string; start: string; increment: string; min: string; max: string; cache: string; cycle: boolean; owned_schema: string | null; owned_table: string | null; owned_column: string | null }
export interface TableRow { schema: string; name: string }
export interface ColumnRow { schema: string; table: string; name: string; type: string; not_null: boolean; default: string | null; identity: string; generated: string }
export interface ConstraintRow { schema: string; table: string; name: string; type: string; def: string; ref_schema: string | null; ref_table: string | null; columns: string[] }
export interface IndexRow { schema: string; table: string; name: string; def: string }
export interface ViewRow { schema: string; name: string; def: string }

export interface BaselineCatalog {
  readonly schemas: readonly { name: string }[];
  readonly enums: readonly EnumRow[];
  readonly sequences: readonly SequenceRow[];
  readonly tables: readonly TableRow[];
  readonly columns: readonly ColumnRow[];
  readonly constraints: readonly ConstraintRow[];
  readonly indexes: readonly IndexRow[];
  readonly views: readonly ViewRow[];
}

export interface CopyStep {
  /** `"schema"."table"` */
  readonly table: string;
  /** Run on the baseline: COPY (SELECT … ORDER BY pk LIMIT cap) TO STDOUT. */
  readonly source: string;
  /** Run on the slice database: COPY t (cols) FROM STDIN. */
  readonly target: string;
}

export interface BranchPlan {
  /** Schemas, types, sequences, tables: before the rows. */
  readonly pre: readonly string[];
  readonly copies: readonly CopyStep[];
  /** Constraints, indexes, sequence ownership and values, views: after the rows. */
  readonly post: readonly string[];
  /** Foreign keys added NOT VALID (their rows may be incomplete), for the log and the status. */
  readonly notValid: readonly string[];
}

const q = (schema: string, name: string): string => `${quoteIdent(schema)}.${quoteIdent(name)}`;
const key = (schema: string, name: string): string => `${schema}.${name}`;

/**
 * Resolves `copy` entries (`t` = public.t, or `schema.t`) to catalog tables. Unknown names are an
 * error naming only what was asked for: the message lands in the Slice's status, which every developer
 * may read, so the catalog itself (`available`) is for the controller's log only.
 */
export function resolveCopyTables(copy: readonly string[], tables: readonly TableRow[], database: string): { ok: true; tables: TableRow[] } | { ok: false; message: string; available: string } {
  const out: TableRow[] = [];
  const missing: string[] = [];
  for (const c of copy) {
    const [schema, name] = c.includes('.') ? [c.slice(0, c.indexOf('.')), c.slice(c.indexOf('.') + 1)] : ['public', c];
    const t = tables.find((x) => x.schema === schema && x.name === name);
    if (t) out.push(t);
    else missing.push(c);
  }
  if (missing.length === 0) return { ok: true, tables: out };
  const available = tables.map((t) => (t.schema === 'public' ? t.name : key(t.schema, t.name))).join(', ') || 'no tables';
  return { ok: false, message: `data.postgres.copy lists ${missing.map((m) => `"${m}"`).join(', ')}, which the baseline database "${database}" does not have (ask its owners for the table names)`, available };
}

/**
 * The plan for one branch. `copied` are the tables whose rows are copied; `capped` those of them
 * with more rows than `rowCap` in the baseline.
 */
export function planBranch(cat: BaselineCatalog, copied: readonly TableRow[], capped: ReadonlySet<string>, rowCap: number): BranchPlan {
  const pre: string[] = [];
  const post: string[] = [];
  const notValid: string[] = [];
  for (const s of cat.schemas) pre.push(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(s.name)}`);
  for (const e of cat.enums) pre.push(`CREATE TYPE ${q(e.schema, e.name)} AS ENUM (${e.labels.map(quoteLiteral).join(', ')})`);
  for (const s of cat.sequences) {
    pre.push(`CREATE SEQUENCE ${q(s.schema, s.name)} AS ${s.type} INCREMENT BY ${s.increment} MINVALUE ${s.min} MAXVALUE ${s.max} START WITH ${s.start} CACHE ${s.cache}${s.cycle ? ' CYCLE' : ' NO CYCLE'}`);
    if (s.owned_schema && s.owned_table && s.owned_column) post.push(`ALTER SEQUENCE ${q(s.schema, s.name)} OWNED BY ${q(s.owned_schema, s.owned_table)}.${quoteIdent(s.owned_column)}`);
  }
  const columnsOf = (t: TableRow) => cat.columns.filter((c) => c.schema === t.schema && c.table === t.name);
  for (const t of cat.tables) {
    const cols = columnsOf(t).map((c) => {
      let d = `${quoteIdent(c.name)} ${c.type}`;
      if (c.generated === 's' && c.default) d += ` GENERATED ALWAYS AS (${c.default}) STORED`;
      else if (c.identity === 'a') d += ' GENERATED ALWAYS AS IDENTITY';
      else if (c.identity === 'd') d += ' GENERATED BY DEFAULT AS IDENTITY';
      else if (c.default) d += ` DEFAULT ${c.default}`;
      if (c.not_null) d += ' NOT NULL';
      return d;
    });
    pre.push(`CREATE TABLE ${q(t.schema, t.name)} (${cols.join(', ')})`);
  }
  const copiedKeys = new Set(copied.map((t) => key(t.schema, t.name)));
  const copies = copied.map((t): CopyStep => {
    const cols = columnsOf(t).filter((c) => c.generated !== 's').map((c) => quoteIdent(c.name)).join(', ');
    const pk = cat.constraints.find((c) => c.type === 'p' && c.schema === t.schema && c.table === t.name);
    const order = pk && pk.columns.length > 0 ? ` ORDER BY ${pk.columns.map(quoteIdent).join(', ')}` : '';
    return {
      table: q(t.schema, t.name),
      source: `COPY (SELECT ${cols} FROM ${q(t.schema, t.name)}${order} LIMIT ${Math.max(0, Math.floor(rowCap))}) TO STDOUT`,
      target: `COPY ${q(t.schema, t.name)} (${cols}) FROM STDIN`,
    };
  });
  const fks: string[] = [];
  for (const c of cat.constraints) {
    const add = `ALTER TABLE ${q(c.schema, c.table)} ADD CONSTRAINT ${quoteIdent(c.name)} ${c.def}`;
    if (c.type !== 'f') {
      post.push(add);
      continue;
    }
    const child = key(c.schema, c.table);
    const parent = c.ref_schema && c.ref_table ? key(c.ref_schema, c.ref_table) : '';
    const complete = !copiedKeys.has(child) || (copiedKeys.has(parent) && !capped.has(child) && !capped.has(parent));
    if (complete) fks.push(add);
    else {
      fks.push(`${add} NOT VALID`);
      notValid.push(`${child}.${c.name}`);
    }
  }
  for (const i of cat.indexes) post.push(i.def);
  post.push(...fks);
  for (const c of cat.columns) {
    if (c.identity === '' && !(c.default ?? '').startsWith('nextval(')) continue;
    const t = quoteLiteral(q(c.schema, c.table));
    post.push(
      `SELECT setval(x.s, COALESCE(x.m, (SELECT seqstart FROM pg_sequence WHERE seqrelid = x.s::regclass)), x.m IS NOT NULL) FROM (SELECT pg_get_serial_sequence(${t}, ${quoteLiteral(c.name)}) AS s, (SELECT max(${quoteIdent(c.name)}) FROM ${q(c.schema, c.table)})::bigint AS m) x WHERE x.s IS NOT NULL`,
    );
  }
  for (const v of cat.views) post.push(`CREATE VIEW ${q(v.schema, v.name)} AS ${v.def.trim().replace(/;$/, '')}`);
  return { pre, copies, post, notValid };
}
