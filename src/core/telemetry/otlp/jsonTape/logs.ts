/**
 * OTLP/JSON ExportLogsServiceRequest to log records, read off the tape (./tape.ts): the same answer
 * as the tree path of ../decodeJson.ts for every payload, like ./traces.ts for spans.
 */
import { type Result, ok } from '../../../base/result';
import { type LogRecord, type ResourceInfo } from '../../model';
import { type Rejection } from '../../rejections';
import { EMPTY_LIST, materialize } from '../attributeList';
import { makeLog } from '../build';
import { type DecodeContext } from '../limits';
import {
  ABSENT,
  K_ATTRIBUTES,
  K_BODY,
  K_LEGACY_SCOPE_LOGS,
  K_LOG_RECORDS,
  K_OBSERVED_TIME,
  K_RESOURCE_LOGS,
  K_SCOPE_LOGS,
  K_SEVERITY_NUMBER,
  K_SEVERITY_TEXT,
  K_SPAN_ID,
  K_TIME,
  K_TRACE_ID,
} from './keys';
import { TapeReader } from './reader';
import { type RequestLayout, eachItem, eachScope } from './scopes';
import { NUMBER, STRING, type Tape } from './tape';
import { anyValue, attributeList, id, time } from './values';

const LOGS: RequestLayout = { resources: K_RESOURCE_LOGS, resourcesName: 'resourceLogs', scopes: K_SCOPE_LOGS, legacyScopes: K_LEGACY_SCOPE_LOGS };

/**
 * Decodes the logs request on the tape. Rejects (and counts) a request of the wrong shape, skips
 * and counts bad items, exactly as the tree path does.
 */
export function tapeLogs(tape: Tape, ctx: DecodeContext): Result<LogRecord[], Rejection> {
  const r = new TapeReader(tape, ctx.transient);
  const logs: LogRecord[] = [];
  const bad = eachScope(r, ctx, LOGS, (sl, resource) => {
    let list = ABSENT;
    for (let m = sl + 1, e = r.end(sl); m < e; m = r.after(m + 1)) if (r.keyId(m) === K_LOG_RECORDS) list = m + 1;
    eachItem(r, ctx, list, (lr) => logs.push(record(r, lr, ctx, resource)));
  });
  return bad ?? ok(logs);
}

function record(r: TapeReader, lr: number, ctx: DecodeContext, resource: ResourceInfo): LogRecord {
  let at = ABSENT;
  let observed = ABSENT;
  let severity = ABSENT;
  let severityText = ABSENT;
  let body = ABSENT;
  let attributes = ABSENT;
  let traceId = ABSENT;
  let spanId = ABSENT;
  for (let m = lr + 1, e = r.end(lr); m < e; m = r.after(m + 1)) {
    switch (r.keyId(m)) {
      case K_TIME:
        at = m + 1;
        break;
      case K_OBSERVED_TIME:
        observed = m + 1;
        break;
      case K_SEVERITY_NUMBER:
        severity = m + 1;
        break;
      case K_SEVERITY_TEXT:
        severityText = m + 1;
        break;
      case K_BODY:
        body = m + 1;
        break;
      case K_ATTRIBUTES:
        attributes = m + 1;
        break;
      case K_TRACE_ID:
        traceId = m + 1;
        break;
      case K_SPAN_ID:
        spanId = m + 1;
        break;
    }
  }
  const t = time(r, at);
  const list = attributeList(r, attributes, ctx);
  return makeLog(ctx, resource, {
    timeMs: t > 0 ? t : time(r, observed),
    severityNumber: severity === ABSENT ? undefined : r.kind(severity) === NUMBER ? r.number(severity) : r.kind(severity) === STRING ? r.string(severity) : r.value(severity),
    severityText: severityText !== ABSENT && r.kind(severityText) === STRING ? ctx.str(r.string(severityText)) : '',
    body: body === ABSENT ? undefined : anyValue(r, body, ctx),
    attributes: materialize(list, list === EMPTY_LIST),
    traceId: id(r, traceId, 16),
    spanId: id(r, spanId, 8),
  });
}
