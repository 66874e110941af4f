/**
 * The OTLP decode worker (its own bundle, dist/telemetryWorker.js): parses and decodes payloads off
 * the extension host's main thread and posts them back in their transfer form, buffers transferred.
 */
import { parentPort } from 'node:worker_threads';
import { type WorkerRequest, type WorkerResponse, runDecodeJob } from './decodeJob';
import { transferList } from './spanColumns';

const port = parentPort;
if (port) {
  port.on('message', (m: WorkerRequest) => {
    let response: WorkerResponse;
    try {
      response = { id: m.id, answer: runDecodeJob(m.job) };
    } catch (e) {
      response = { id: m.id, error: e instanceof Error ? e.message : String(e) };
    }
    port.postMessage(response, 'answer' in response && response.answer.kind === 'traces' ? transferList(response.answer.spans) : []);
  });
}
