import { readFileSync } from 'node:fs';
import { hookFromEnv } from './hook';
import { DEFAULT_OTLP_PORT, OtlpReceiver } from './otlpReceiver';
import { PayloadRing } from './otlpRing';
import { AgentServer } from './server';

/**
 * The in-container agent. Configuration comes from the environment the slice controller sets:
 *   SLICE_AGENT_TOKEN_FILE (or SLICE_AGENT_TOKEN)  the slice's token
 *   SLICE_AGENT_PORT   (default 7777)              the pod-local port, reached through port-forward
 *   SLICE_AGENT_HOST   (default 0.0.0.0)
 *   SLICE_SYNC_ROOT    (default /app)              the only directory the agent may write into
 *   SLICE_AGENT_FSYNC  (default 1)                 0: do not flush each file before its rename
 *   SLICE_AGENT_STATE_DIR                          where the record of what the sync wrote is kept
 *                      across agent restarts (an emptyDir that lives as long as the sync root)
 *   SLICE_MAX_FILE_BYTES (default 32 MiB)          files above this are refused (TOO_LARGE)
 *   SLICE_AFTER_SYNC_CMD  the after-sync action: a JSON argv array (no shell), or a command line
 *                         for /bin/sh -c; file names are never passed to it
 *   SLICE_AFTER_SYNC_TIMEOUT_MS (default 30000)
 *   SLICE_OTLP_PORT    (default 4318; "off" disables) the OTLP/HTTP receiver on the pod's loopback,
 *                      relayed to token holders over the agent's WebSocket
 *   SLICE_ROUTED_OTLP_PORT (default off) a second OTLP/HTTP receiver into the same ring, on the pod's
 *                      address: the baseline collector's routed traces (the slice's NetworkPolicy
 *                      admits only the collector to it)
 */
function main(): void {
  const log = (line: string) => process.stderr.write(`${new Date().toISOString()} slice-agent ${line}\n`);
  const token = readToken();
  if (!token) {
    log('refusing to start: no token (set SLICE_AGENT_TOKEN_FILE or SLICE_AGENT_TOKEN)');
    process.exit(2);
  }
  const port = Number(process.env.SLICE_AGENT_PORT ?? 7777);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    log(`refusing to start: SLICE_AGENT_PORT=${process.env.SLICE_AGENT_PORT} is not a port number`);
    process.exit(2);
  }
  const maxFileBytes = process.env.SLICE_MAX_FILE_BYTES ? Number(process.env.SLICE_MAX_FILE_BYTES) : undefined;
  if (maxFileBytes !== undefined && !(Number.isInteger(maxFileBytes) && maxFileBytes > 0)) {
    log(`refusing to start: SLICE_MAX_FILE_BYTES=${process.env.SLICE_MAX_FILE_BYTES} is not a positive integer`);
    process.exit(2);
  }
  let afterSync;
  try {
    afterSync = hookFromEnv(process.env.SLICE_AFTER_SYNC_CMD, process.env.SLICE_AFTER_SYNC_TIMEOUT_MS);
  } catch (e) {
    log(`refusing to start: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(2);
  }
  const otlpPort = process.env.SLICE_OTLP_PORT === 'off' ? undefined : Number(process.env.SLICE_OTLP_PORT ?? DEFAULT_OTLP_PORT);
  if (otlpPort !== undefined && !(Number.isInteger(otlpPort) && otlpPort >= 0 && otlpPort <= 65535)) {
    log(`refusing to start: SLICE_OTLP_PORT=${process.env.SLICE_OTLP_PORT} is not a port number (or "off")`);
    process.exit(2);
  }
  const routedPort = process.env.SLICE_ROUTED_OTLP_PORT ? Number(process.env.SLICE_ROUTED_OTLP_PORT) : undefined;
  if (routedPort !== undefined && !(Number.isInteger(routedPort) && routedPort > 0 && routedPort <= 65535)) {
    log(`refusing to start: SLICE_ROUTED_OTLP_PORT=${process.env.SLICE_ROUTED_OTLP_PORT} is not a port number`);
    process.exit(2);
  }
  const telemetry = otlpPort === undefined ? undefined : new PayloadRing();
  const receiver = telemetry ? new OtlpReceiver({ ring: telemetry, host: '127.0.0.1', port: otlpPort, log }) : undefined;
  const routed = telemetry && routedPort !== undefined ? new OtlpReceiver({ ring: telemetry, host: '0.0.0.0', port: routedPort, log }) : undefined;
  const server = new AgentServer({
    host: process.env.SLICE_AGENT_HOST ?? '0.0.0.0',
    port,
    token,
    syncRoot: process.env.SLICE_SYNC_ROOT ?? '/app',
    version: AGENT_VERSION,
    log,
    maxFileBytes,
    afterSync,
    fsync: process.env.SLICE_AGENT_FSYNC !== '0',
    ...(process.env.SLICE_AGENT_STATE_DIR ? { stateDir: process.env.SLICE_AGENT_STATE_DIR } : {}),
    telemetry,
  });
  // Without the receiver (port taken by the app, …) the agent still syncs: say so and go on.
  receiver?.listen().then(
    (p) => log(`OTLP/HTTP receiver on 127.0.0.1:${p} (POST /v1/traces, /v1/logs)`),
    (e: unknown) => log(`no OTLP receiver: cannot listen on 127.0.0.1:${otlpPort}: ${e instanceof Error ? e.message : String(e)}`),
  );
  routed?.listen().then(
    (p) => log(`routed-traces OTLP/HTTP receiver on 0.0.0.0:${p} (the baseline collector's spans)`),
    (e: unknown) => log(`no routed-traces receiver: cannot listen on ${routedPort}: ${e instanceof Error ? e.message : String(e)}`),
  );
  server.listen().then(
    (p) => log(`listening on ${p}`),
    (e: unknown) => {
      log(`cannot listen on ${port}: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    },
  );
  const stop = () => void Promise.all([server.close(), receiver?.close(), routed?.close()]).then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

function readToken(): string | undefined {
  const file = process.env.SLICE_AGENT_TOKEN_FILE;
  if (file) return readFileSync(file, 'utf8').trim() || undefined;
  return process.env.SLICE_AGENT_TOKEN?.trim() || undefined;
}

const AGENT_VERSION = '0.4.0';

if (require.main === module) main();
