// The workload of the data-isolation tests' baseline: an HTTP server that answers "ok", and, run as
// `node /app/probe.js sql "<SQL>" [URL]`, one query with npm pg against $DATABASE_URL (or URL),
// printing the rows as JSON, or `ERROR <code> <message>` with exit code 3.
import * as http from 'node:http';
import { Client } from 'pg';

async function sql(text: string, url: string | undefined): Promise<void> {
  const c = new Client({ connectionString: url ?? process.env.DATABASE_URL, connectionTimeoutMillis: 5000 });
  try {
    await c.connect();
    const r = await c.query(text);
    process.stdout.write(`${JSON.stringify(r.rows)}\n`);
    await c.end();
  } catch (e) {
    const err = e as { code?: string; message?: string };
    process.stdout.write(`ERROR ${err.code ?? '-'} ${err.message ?? String(e)}\n`);
    process.exit(3);
  }
}

if (process.argv[2] === 'sql') void sql(process.argv[3] ?? 'SELECT 1', process.argv[4]);
else http.createServer((_q, s) => s.end('ok')).listen(8080);
