import Ajv, { type ErrorObject } from 'ajv';
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import schema from '../../../media/schema/slice.schema.json';
import { MAX_EXPORT_DELAY_MS, MIN_EXPORT_DELAY_MS, parseExportDelay } from './forkTelemetry';
import { type PlatformLimits, overLimits } from './limits';
import { type ForkRoutingSpec, type ForkSpec, type PostgresDataSpec, type SliceResources } from './sliceResource';

/** The workspace's slice.yaml, validated. */
export interface WorkspaceSliceConfig {
  readonly baseline: string;
  readonly name?: string;
  readonly ttl?: string;
  readonly resources?: SliceResources;
  /** Every fork's telemetry export delay (a fork's own wins). */
  readonly telemetry?: WorkspaceTelemetry;
  readonly forks: readonly WorkspaceFork[];
}

/** `telemetry:` in slice.yaml. */
export interface WorkspaceTelemetry {
  /** `200ms`, `1s`: the OTel SDK's export delays in the fork (see core/slice/forkTelemetry.ts). */
  readonly exportDelay?: string;
}

export interface WorkspaceFork {
  readonly workload: string;
  readonly container?: string;
  readonly sync?: { readonly local: string; readonly container: string };
  readonly restart?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly data?: { readonly postgres?: PostgresDataSpec };
  readonly telemetry?: WorkspaceTelemetry;
  /** `routing:`: requests routed through the baseline to this fork (default on, 503 when down). */
  readonly routing?: ForkRoutingSpec;
}

/** A position in the file: 1-based line and column (converted to VS Code's 0-based once, in src/vscode). */
export interface ConfigRange {
  readonly startLine: number;
  readonly startColumn: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export interface ConfigProblem {
  readonly message: string;
  readonly severity: 'error' | 'warning';
  readonly range: ConfigRange;
  /** A one-click fix (a quick fix in the editor): replace `range` with `text`. */
  readonly fix?: { readonly title: string; readonly range: ConfigRange; readonly text: string };
}

export type ConfigParseResult = { readonly ok: true; readonly config: WorkspaceSliceConfig; readonly warnings: readonly ConfigProblem[] } | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

export const SLICE_CONFIG_FILE = 'slice.yaml';
export const sliceConfigSchema: object = schema;

const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
const validate = ajv.compile<WorkspaceSliceConfig>(schema);

/**
 * Parses and validates slice.yaml; every problem points at the line it is about, and all of them are
 * reported at once (schema and semantic checks alike). With the platform's `limits`, a value over a
 * cap is a warning that says what the slice will get.
 */
export function parseWorkspaceConfig(text: string, limits?: PlatformLimits): ConfigParseResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number, end: number): ConfigRange => {
    const s = lines.linePos(offset);
    const e = lines.linePos(Math.max(offset, end));
    return { startLine: s.line, startColumn: s.col, endLine: e.line, endColumn: e.col };
  };
  const syntax = [...doc.errors, ...doc.warnings].map((e) => ({
    message: `YAML: ${e.message.split('\n')[0] ?? e.message}`,
    severity: doc.errors.includes(e) ? ('error' as const) : ('warning' as const),
    range: at(e.pos[0], e.pos[1]),
  }));
  if (doc.errors.length > 0) return { ok: false, problems: syntax };
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) {
    return { ok: false, problems: [{ message: 'slice.yaml is empty: it needs at least `baseline` and `forks`.', severity: 'error', range: at(0, 0) }] };
  }
  const valid = validate(value);
  const schemaProblems = valid ? [] : dedupe((validate.errors ?? []).map((e) => toProblem(e, doc, at)));
  const semantic = [...semanticProblems(value as WorkspaceSliceConfig, doc, at), ...(limits ? limitProblems(value as WorkspaceSliceConfig, limits, doc, at) : [])];
  const all = sortByPosition([...syntax, ...schemaProblems, ...semantic]);
  if (!valid || all.some((p) => p.severity === 'error')) return { ok: false, problems: all };
  return { ok: true, config: value, warnings: all };
}

/** Warnings for values over the platform's caps, at their lines. */
function limitProblems(config: WorkspaceSliceConfig, limits: PlatformLimits, doc: Document, at: At): ConfigProblem[] {
  const ttl = typeof config.ttl === 'string' ? config.ttl : undefined;
  const r = config.resources && typeof config.resources === 'object' ? config.resources : undefined;
  const resources = r ? { ...(typeof r.cpu === 'string' ? { cpu: r.cpu } : {}), ...(typeof r.memory === 'string' ? { memory: r.memory } : {}), ...(typeof r.pods === 'number' ? { pods: r.pods } : {}) } : undefined;
  return overLimits({ ...(ttl ? { ttl } : {}), ...(resources ? { resources } : {}) }, limits).map((n) => ({ message: n.message, severity: 'warning' as const, range: rangeOf(doc, n.path, at) }));
}

function sortByPosition(problems: ConfigProblem[]): ConfigProblem[] {
  return problems.sort((a, b) => a.range.startLine - b.range.startLine || a.range.startColumn - b.range.startColumn);
}

/** The forks of the config, as the Slice resource's spec wants them. */
export function toForkSpecs(config: WorkspaceSliceConfig): ForkSpec[] {
  return config.forks.map((f) => ({
    workload: f.workload,
    ...(f.container ? { container: f.container } : {}),
    ...(f.sync ? { syncPath: f.sync.container } : {}),
    ...(f.restart ? { restartCommand: [...f.restart] } : {}),
    ...(f.env ? { env: Object.entries(f.env).map(([name, value]) => ({ name, value })) } : {}),
    ...(f.data?.postgres ? { data: { postgres: { ...f.data.postgres, ...(f.data.postgres.copy ? { copy: [...f.data.postgres.copy] } : {}) } } } : {}),
    ...exportDelayOf(f.telemetry?.exportDelay ?? config.telemetry?.exportDelay),
    ...(f.routing ? { routing: { ...f.routing } } : {}),
  }));
}

function exportDelayOf(text: string | undefined): Pick<ForkSpec, 'telemetry'> {
  const ms = text === undefined ? undefined : parseExportDelay(text);
  return ms === undefined ? {} : { telemetry: { exportDelayMs: ms } };
}

/** An export delay outside 10ms..60s (the Slice CRD's bounds), said at its line. */
function exportDelayProblem(text: string | undefined, path: readonly (string | number)[], doc: Document, at: At): ConfigProblem[] {
  const ms = text === undefined ? undefined : parseExportDelay(text);
  if (ms === undefined || (ms >= MIN_EXPORT_DELAY_MS && ms <= MAX_EXPORT_DELAY_MS)) return [];
  return [{ message: `${describePath(path)}"${text}" is outside 10ms to 60s.`, severity: 'error', range: rangeOf(doc, path, at) }];
}

type At = (offset: number, end: number) => ConfigRange;

/** Checks beyond the schema; run on a config that may also fail the schema, so every value is checked for its type first. */
function semanticProblems(config: WorkspaceSliceConfig, doc: Document, at: At): ConfigProblem[] {
  if (typeof config !== 'object' || config === null) return [];
  const problems: ConfigProblem[] = [...exportDelayProblem(stringOrUndefined(config.telemetry?.exportDelay), ['telemetry', 'exportDelay'], doc, at)];
  const seen = new Map<string, number>();
  const forks: readonly WorkspaceFork[] = Array.isArray(config.forks) ? config.forks : [];
  forks.forEach((f, i) => {
    if (typeof f !== 'object' || f === null || typeof f.workload !== 'string') return;
    if (f.sync && (typeof f.sync !== 'object' || typeof f.sync.local !== 'string')) return;
    const first = seen.get(f.workload);
    if (first !== undefined) {
      problems.push({ message: `forks[${i}]: "${f.workload}" is already forked by forks[${first}]; list each workload once.`, severity: 'error', range: rangeOf(doc, ['forks', i, 'workload'], at) });
    } else seen.set(f.workload, i);
    if (f.sync && (f.sync.local.startsWith('/') || /^[A-Za-z]:[\\/]/.test(f.sync.local))) {
      problems.push({ message: `forks[${i}].sync.local: "${f.sync.local}" must be relative to the workspace folder.`, severity: 'error', range: rangeOf(doc, ['forks', i, 'sync', 'local'], at) });
    }
    problems.push(...exportDelayProblem(stringOrUndefined(f.telemetry?.exportDelay), ['forks', i, 'telemetry', 'exportDelay'], doc, at));
    const pg = f.data?.postgres;
    const dataEnv = pg ? pg.env ?? 'DATABASE_URL' : undefined;
    if (dataEnv && f.env && typeof f.env === 'object' && dataEnv in f.env) {
      problems.push({ message: `forks[${i}].env.${dataEnv}: replaced by the URL of the slice's own database (data.postgres); remove it here.`, severity: 'warning', range: rangeOf(doc, ['forks', i, 'env', dataEnv], at) });
    }
    if (f.sync && f.sync.local.split(/[\\/]/).includes('..')) {
      problems.push({ message: `forks[${i}].sync.local: "${f.sync.local}" leaves the workspace folder ("..").`, severity: 'error', range: rangeOf(doc, ['forks', i, 'sync', 'local'], at) });
    }
  });
  return problems;
}

function stringOrUndefined(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function toProblem(e: ErrorObject, doc: Document, at: At): ConfigProblem {
  const path = e.instancePath.split('/').slice(1).map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')));
  const where = describePath(path);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { message: `${where}missing required field \`${String(params.missingProperty)}\`.`, severity: 'error', range: rangeOf(doc, path, at, true) };
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const range = keyRangeOf(doc, path, key, at);
      const close = closest(key, e);
      const hint = close ? ` (did you mean \`${close}\`?)` : expected(e);
      return { message: `${where}unknown field \`${key}\`${hint}.`, severity: 'error', range, ...(close ? { fix: { title: `Change \`${key}\` to \`${close}\``, range, text: close } } : {}) };
    }
    case 'type':
      return { message: `${where}must be ${article(String(params.type))}.`, severity: 'error', range: rangeOf(doc, path, at) };
    case 'pattern':
      return { message: `${where}${patternHint(path)}`, severity: 'error', range: rangeOf(doc, path, at) };
    case 'minItems':
      return { message: `${where}needs at least ${String(params.limit)} item(s).`, severity: 'error', range: rangeOf(doc, path, at) };
    default:
      return { message: `${where}${e.message ?? 'is invalid'}.`, severity: 'error', range: rangeOf(doc, path, at) };
  }
}

function describePath(path: readonly (string | number)[]): string {
  if (path.length === 0) return '';
  return `${path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('')}: `;
}

function article(type: string): string {
  return type === 'object' ? 'a mapping' : type === 'array' ? 'a list' : type === 'integer' ? 'a whole number' : `a ${type}`;
}

function patternHint(path: readonly (string | number)[]): string {
  const last = path[path.length - 1];
  switch (last) {
    case 'ttl':
      return 'must be a duration like 90m, 4h or 2d.';
    case 'cpu':
      return 'must be a CPU quantity like "2" or "1500m".';
    case 'memory':
      return 'must be a memory quantity like "512Mi" or "2Gi".';
    case 'database':
      return 'must be a database name: letters, digits, _ and -, starting with a letter or _.';
    case 'env':
      return 'must be an environment variable name like DATABASE_URL.';
    case 'exportDelay':
      return 'must be a delay like 200ms or 1s.';
    case 'container':
      return path.includes('sync') ? 'must be an absolute path in the container, like /app.' : 'must be a container name (lowercase letters, digits and -).';
    default:
      if (path.includes('copy')) return 'must be a table name, `orders` or `schema.orders`.';
      return 'must be a Kubernetes name: lowercase letters, digits and -, starting and ending with a letter or digit.';
  }
}

function knownKeys(e: ErrorObject): string[] {
  const parentSchema = e.parentSchema as { properties?: Record<string, unknown> } | undefined;
  return Object.keys(parentSchema?.properties ?? {});
}

function closest(key: string, e: ErrorObject): string | undefined {
  return knownKeys(e).find((k) => distance(k, key) <= 2);
}

function expected(e: ErrorObject): string {
  const known = knownKeys(e);
  return known.length > 0 ? ` (expected one of: ${known.join(', ')})` : '';
}

function distance(a: string, b: string): number {
  const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) dp[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) dp[i]![j] = Math.min(dp[i - 1]![j]! + 1, dp[i]![j - 1]! + 1, dp[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return dp[a.length]![b.length]!;
}

function nodeAt(doc: Document, path: readonly (string | number)[]): YamlNode | undefined {
  const n: unknown = path.length === 0 ? doc.contents : doc.getIn(path, true);
  return n && typeof n === 'object' && 'range' in n ? (n as YamlNode) : undefined;
}

/** The range of the value at `path`; for a mapping with `keyOnly`, its first line only. */
function rangeOf(doc: Document, path: readonly (string | number)[], at: At, keyOnly = false): ConfigRange {
  // For a missing field, point at the key that holds the mapping, when there is one.
  if (keyOnly && path.length > 0) {
    const parent = nodeAt(doc, path.slice(0, -1));
    const key = path[path.length - 1];
    if (parent && isMap(parent)) {
      const pair = parent.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
      if (pair && isPair(pair) && isScalar(pair.key) && pair.key.range) return at(pair.key.range[0], pair.key.range[1]);
    }
  }
  const node = nodeAt(doc, path) ?? nodeAt(doc, []);
  if (!node?.range) return at(0, 0);
  const [start, valueEnd] = node.range;
  const range = at(start, valueEnd);
  return keyOnly || isMap(node) ? { ...range, endLine: range.startLine, endColumn: range.startColumn + 1 } : range;
}

function keyRangeOf(doc: Document, path: readonly (string | number)[], key: string, at: At): ConfigRange {
  const node = nodeAt(doc, path);
  if (node && isMap(node)) {
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
    if (pair && isPair(pair) && isScalar(pair.key) && pair.key.range) return at(pair.key.range[0], pair.key.range[1]);
  }
  return rangeOf(doc, path, at);
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.message}@${p.range.startLine}:${p.range.startColumn}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
