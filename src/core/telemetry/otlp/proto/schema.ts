/**
 * The protobufjs types of the OTLP schema, built once on first use from the JSON descriptor.
 */
import { type INamespace, Root, type Type } from 'protobufjs/light';
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

/** The request types the decoders use: see {@link decodeView}. */
export interface OtlpDecodeTypes {
  readonly exportTraceRequest: Type;
  readonly exportLogsRequest: Type;
}

let decodeTypes: OtlpDecodeTypes | undefined;

/** The decoders' view of the schema (built lazily, then cached). The full schema stays what {@link otlpTypes} encodes with. */
export function otlpDecodeTypes(): OtlpDecodeTypes {
  if (!decodeTypes) {
    const root = Root.fromJSON(decodeView());
    root.resolveAll();
    decodeTypes = {
      exportTraceRequest: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'),
      exportLogsRequest: root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest'),
    };
  }
  return decodeTypes;
}

type Fields = Record<string, unknown>;
interface MessageJson {
  fields: Fields;
  oneofs?: Record<string, { oneof: string[] }>;
  nested?: Record<string, MessageJson>;
}

/**
 * The OTLP schema as the decoders read it; same field numbers and wire types, so the same bytes:
 * - each AnyValue member in a oneof of its own: protobufjs's oneof setter deletes every other
 *   member of the oneof on each value it reads (a `delete` per member per attribute); with one
 *   member per oneof it deletes nothing. The member set is still the one own property.
 * - fields the core never reads are left out, so protobufjs skips them by wire type without
 *   building them: span links, trace state, flags, dropped counts, the scope's version and attributes.
 * - strings are read without UTF-8 validation (invalid sequences become U+FFFD, as in the OTLP/JSON
 *   path's TextDecoder) instead of failing the whole request, and through Node's native decoder
 *   when the payload is a Buffer.
 */
function decodeView(): INamespace {
  const root = JSON.parse(JSON.stringify(OTLP_DESCRIPTOR)) as INamespace;
  // every object of a protobufjs JSON root resolves its features from its own edition's defaults: set it per field
  const lenient = (ns: { nested?: Record<string, unknown>; fields?: Record<string, { type: string; options?: Record<string, unknown> }> }): void => {
    for (const f of Object.values(ns.fields ?? {})) if (f.type === 'string') f.options = { ...f.options, features: { utf8_validation: 'NONE' } };
    for (const child of Object.values(ns.nested ?? {})) lenient(child as Parameters<typeof lenient>[0]);
  };
  lenient(root);
  const pkg = (path: string): Record<string, MessageJson> => {
    let ns = root as { nested?: Record<string, unknown> };
    for (const part of path.split('.')) ns = ns.nested![part] as { nested?: Record<string, unknown> };
    return ns.nested as Record<string, MessageJson>;
  };
  const common = pkg('opentelemetry.proto.common.v1');
  const any = common.AnyValue!;
  any.oneofs = Object.fromEntries(Object.keys(any.fields).map((f) => [`_${f}`, { oneof: [f] }]));
  const scope = common.InstrumentationScope!.fields;
  delete scope.version;
  delete scope.attributes;
  const span = pkg('opentelemetry.proto.trace.v1').Span!.fields;
  for (const f of ['traceState', 'flags', 'droppedAttributesCount', 'droppedEventsCount', 'links', 'droppedLinksCount']) delete span[f];
  return root;
}
