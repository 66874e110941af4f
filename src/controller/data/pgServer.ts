/**
 * The platform's PostgreSQL server as the controller sees it: the admin DSN read from the Secret
 * named in the platform config (in the controller's namespace), and short-lived connections to one
 * of its databases as the platform role.
 */
import * as k8s from '@kubernetes/client-node';
import { Client } from 'pg';
import { isNotFound } from '../errors';

export interface PgServer {
  /** host:port, for messages. */
  readonly where: string;
  readonly host: string;
  readonly port: string;
  /** The database of the admin DSN (where roles and databases are created). */
  readonly adminDb: string;
  /** The admin DSN with its database replaced. */
  urlFor(database: string, user?: { name: string; password: string }): string;
  /** A key for deriving slice passwords (the admin DSN itself: whoever knows it owns every slice database anyway). */
  readonly secretKey: string;
}

export class ConfigError extends Error {}

const CONNECT_TIMEOUT_MS = 5000;

export function pgServerFromUrl(adminUrl: string): PgServer {
  let u: URL;
  try {
    u = new URL(adminUrl);
  } catch {
    throw new ConfigError('the platform PostgreSQL DSN is not a URL like postgres://slice_platform:PASSWORD@host:5432/postgres');
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') throw new ConfigError(`the platform PostgreSQL DSN must start with postgres://, not ${u.protocol}//`);
  const port = u.port || '5432';
  return {
    where: `${u.hostname}:${port}`,
    host: u.hostname,
    port,
    adminDb: decodeURIComponent(u.pathname.slice(1)) || 'postgres',
    secretKey: adminUrl,
    urlFor(database, user) {
      const x = new URL(adminUrl);
      x.pathname = `/${encodeURIComponent(database)}`;
      if (user) {
        x.username = encodeURIComponent(user.name);
        x.password = encodeURIComponent(user.password);
      }
      return x.toString();
    },
  };
}

/** Reads the admin DSN (key `url`) from the Secret; a missing Secret is a ConfigError saying what to create. */
export async function readPgServer(kc: k8s.KubeConfig, namespace: string, secret: string): Promise<PgServer> {
  let s: k8s.V1Secret;
  try {
    s = await kc.makeApiClient(k8s.CoreV1Api).readNamespacedSecret({ name: secret, namespace });
  } catch (e) {
    if (isNotFound(e)) throw new ConfigError(`the platform has no PostgreSQL server configured: create the Secret ${namespace}/${secret} with key url=postgres://slice_platform:PASSWORD@HOST:PORT/postgres`);
    throw e;
  }
  const b64 = s.data?.url;
  if (!b64) throw new ConfigError(`the Secret ${namespace}/${secret} has no key "url" (the platform role's postgres:// DSN)`);
  return pgServerFromUrl(Buffer.from(b64, 'base64').toString('utf8'));
}

/** Runs `fn` with a fresh connection to `database` as the platform role (or as `user`); always closes it. */
export async function withClient<T>(server: PgServer, database: string, fn: (c: Client) => Promise<T>, user?: { name: string; password: string }): Promise<T> {
  const c = new Client({ connectionString: server.urlFor(database, user), connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: 'slice-controller' });
  // a server that goes away while idle emits 'error' on the client: the running query fails instead
  c.on('error', () => undefined);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}
