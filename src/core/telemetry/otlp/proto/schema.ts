/**
 * The protobufjs types of the OTLP schema, built once on first use from the JSON descriptor.
 */
import { Root, type Type } from 'protobufjs/light';
import { OTLP_DESCRIPTOR } from './descriptor';

/** The OTLP message types the decoders and the fixture tools use. */
export interface OtlpTypes {
  readonly root: Root;
  readonly exportTraceRequest: Type;
  readonly exportLogsRequest: Type;
  readonly tracesData: Type;
  readonly logsData: Type;
}

let types: OtlpTypes | undefined;

/** The OTLP types (built lazily, then cached for the life of the process). */
export function otlpTypes(): OtlpTypes {
  if (!types) {
    const root = Root.fromJSON(OTLP_DESCRIPTOR);
    root.resolveAll();
    types = {
      root,
      exportTraceRequest: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'),
      exportLogsRequest: root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest'),
      tracesData: root.lookupType('opentelemetry.proto.trace.v1.TracesData'),
      logsData: root.lookupType('opentelemetry.proto.logs.v1.LogsData'),
    };
  }
  return types;
}
