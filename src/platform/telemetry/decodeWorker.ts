/**
 * The OTLP decode worker (its own bundle, dist/telemetryWorker.js): parses and decodes payloads off
 * the extension host's main thread and posts them back in their transfer form, buffers transferred.
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { type WorkerRequest, type WorkerResponse, decodePayload } from '../../core/telemetry/decodePayload';
import { transferList } from '../../core/telemetry/spanBatch';

/**
 * Decoding is background work: on Linux, where a thread has a scheduling priority of its own, this
 * thread gives way to the others (the extension host's event loop first) when the cores are all busy:
 * its nice value is the process's plus 10.
 */
function lowerPriority(): void {
  try {
    const tid = Number(/(\d+)$/.exec(readlinkSync('/proc/thread-self'))?.[1]);
    if (Number.isInteger(tid)) setPriority(tid, Math.min(19, getPriority(tid) + 10));
  } catch {
    // not Linux, or not allowed: the thread keeps the process's priority
  }
}

const port = parentPort;
lowerPriority();
if (port) {
  port.on('message', (m: WorkerRequest) => {
    let response: WorkerResponse;
    try {
      response = { id: m.id, answer: decodePayload(m.job, true) };
    } catch (e) {
      response = { id: m.id, error: e instanceof Error ? e.message : String(e) };
    }
    port.postMessage(response, 'answer' in response && response.answer.kind === 'traces' ? transferList(response.answer.spans) : []);
  });
}
