import * as vscode from 'vscode';
import { CancelledError, UserError } from '../../core/base/errors';
import { type CommandRegistry, Commands } from '../commandRegistry';
import { formatMs } from '../../core/telemetry/present';
import { type IngestResult, type TelemetryPipeline } from '../../app/telemetry/telemetryPipeline';
import { type TelemetrySourceSetting } from './telemetrySettings';
import { type TracePanel } from './tracePanel';
import { type TelemetryKind } from '../../core/agent/messages';
import { sayDone } from '../sayDone';

/** What an import read. */
export interface ImportSummary {
  readonly spans: number;
  readonly logs: number;
  readonly logLines: number;
  /** Metric data points stored (OTLP/JSON metrics; marked `slice.source=baseline` they are the baseline's). */
  readonly metrics: number;
}

/** Registers Import Telemetry File…, Clear Telemetry, Open Trace and Show Telemetry From… */
export function registerTelemetryCommands(registry: CommandRegistry, service: TelemetryPipeline, panel: TracePanel): void {
  registry.register(Commands.importTelemetry, async (uri?: vscode.Uri) => {
    const file = uri instanceof vscode.Uri ? uri : await pickFile();
    const bytes = await vscode.workspace.fs.readFile(file);
    const summary = await importBytes(service, bytes, file.path);
    const name = file.path.slice(file.path.lastIndexOf('/') + 1);
    const records = `${summary.logs + summary.logLines} log records`;
    const what = summary.metrics > 0 ? `${summary.spans} spans, ${records} and ${summary.metrics} metric points` : `${summary.spans} spans and ${records}`;
    sayDone(`Slice: imported ${what} from ${name}.`);
    return summary;
  });

  registry.register(Commands.clearTelemetry, () => service.clear());

  registry.register(Commands.openTrace, async (traceId?: unknown) => {
    let id = typeof traceId === 'string' ? traceId : undefined;
    if (id === undefined) {
      const picks = service.traces.recent(50).map((t) => ({ label: t.name, description: `${formatMs(t.durationMs)} · ${t.errors} errors`, detail: t.traceId, id: t.traceId }));
      if (picks.length === 0) throw new UserError('No traces yet: run Slice: Import Telemetry File… or send requests to your slice.', []);
      const picked = await vscode.window.showQuickPick(picks, { title: 'Open Trace', placeHolder: 'Recent traces, newest first' });
      if (!picked) throw new CancelledError();
      id = picked.id;
    }
    const trace = service.traces.get(id);
    if (!trace) throw new UserError(`Trace ${id} is not in memory any more: Slice keeps the most recent 200 traces.`, []);
    panel.show(trace);
    return trace.traceId;
  });

  registry.register(Commands.selectTelemetrySource, async () => {
    const items: (vscode.QuickPickItem & { value: TelemetrySourceSetting })[] = [
      { label: 'Mine', description: "my slice's telemetry", value: 'mine' },
      { label: 'Baseline', description: "the shared baseline's telemetry", value: 'baseline' },
      { label: 'Both', description: 'side by side', value: 'both' },
    ];
    const picked = await vscode.window.showQuickPick(items, { title: 'Show Telemetry From' });
    if (!picked) throw new CancelledError();
    const target = vscode.workspace.workspaceFolders ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await vscode.workspace.getConfiguration('slice.telemetry').update('source', picked.value, target);
  });
}

async function pickFile(): Promise<vscode.Uri> {
  const picked = await vscode.window.showOpenDialog({
    title: 'Import Telemetry File',
    openLabel: 'Import',
    canSelectMany: false,
    filters: { 'OTLP JSON or protobuf, container logs': ['json', 'jsonl', 'pb', 'bin', 'log', 'txt'], 'All files': ['*'] },
  });
  if (!picked?.[0]) throw new CancelledError();
  return picked[0];
}

/**
 * Ingests a recorded file as the developer's own telemetry: an OTLP/JSON export request (or one per
 * line, as the collector's file exporter writes), an OTLP protobuf request (traces, else logs), or
 * container log lines.
 */
export async function importBytes(service: TelemetryPipeline, bytes: Uint8Array, name: string): Promise<ImportSummary> {
  const source = 'mine';
  let spans = 0;
  let logs = 0;
  let metrics = 0;
  const add = (r: IngestResult) => {
    spans += r.spans;
    logs += r.logs;
    metrics += r.metrics ?? 0;
    return r;
  };
  if (looksBinary(bytes) || /\.(pb|bin|protobuf)$/i.test(name)) {
    const t = add(await service.ingest({ kind: 'traces', encoding: 'protobuf', body: bytes, source }));
    if (t.spans === 0) {
      const l = add(await service.ingest({ kind: 'logs', encoding: 'protobuf', body: bytes, source }));
      if (l.rejected) throw new UserError(`${name} is not an OTLP protobuf export request (${l.rejected}).`, []);
    }
    return { spans, logs, logLines: 0, metrics };
  }
  const text = new TextDecoder().decode(bytes);
  const trimmed = text.trimStart();
  const requests = trimmed.startsWith('{') ? otlpJsonRequests(trimmed) : [];
  if (requests.length > 0) {
    for (const r of requests) {
      const res = add(await service.ingest({ kind: r.kind, encoding: 'json', body: r.body, source }));
      if (res.rejected && requests.length === 1) throw new UserError(`${name} is not a valid OTLP/JSON export request (${res.rejected}).`, []);
    }
    return { spans, logs, logLines: 0, metrics };
  }
  let logLines = 0;
  for (const line of text.split(/\r?\n/)) if (line.length > 0 && service.ingestLogLine(line, source)) logLines++;
  if (logLines === 0) throw new UserError(`${name} has no OTLP data and no log lines Slice could read.`, []);
  return { spans, logs, logLines, metrics };
}

function otlpJsonRequests(text: string): { kind: TelemetryKind; body: string }[] {
  const kindOf = (s: string) => (s.includes('"resourceSpans"') ? ('traces' as const) : s.includes('"resourceLogs"') ? ('logs' as const) : s.includes('"resourceMetrics"') ? ('metrics' as const) : undefined);
  const whole = kindOf(text);
  try {
    JSON.parse(text);
    return whole ? [{ kind: whole, body: text }] : [];
  } catch {
    // JSON lines: one export request per line
  }
  const out: { kind: TelemetryKind; body: string }[] = [];
  for (const line of text.split(/\r?\n/)) {
    const k = line.trimStart().startsWith('{') ? kindOf(line) : undefined;
    if (k) out.push({ kind: k, body: line });
  }
  return out;
}

function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 512);
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b < 9 || (b > 13 && b < 32 && b !== 27)) return true;
  }
  return false;
}
