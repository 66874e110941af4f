/**
 * The one span class of the pipeline: what the decoders make (JSON and protobuf alike) and what a
 * span batch (spanBatch.ts) is read back as on the other side of the decode worker. Its attribute
 * object is made on first read, from the attribute list the decoder read or from that list's JSON
 * text in a batch: aggregating a span never reads it (its `code` location is read at decode time).
 * The source of the attributes is a private field, so spans compare (deepStrictEqual) by their
 * fields, whoever made them. `Span` (model.ts) is this class's shape.
 */
import { attrsFromJson } from './attrJson';
import { type Attributes, type CodeLocation, type ExceptionInfo, type ResourceInfo, type SourceTag, type SpanEvent, type SpanKind, type StatusCode } from './model';
import { type AttributeList, EMPTY_LIST, listOf, materialize } from './otlp/attributeList';

export class SpanRecord {
  #list: AttributeList | undefined;
  #json: string | undefined;
  #attributes: Attributes | undefined;

  constructor(
    readonly source: SourceTag,
    /** 32 lowercase hex digits ('' when missing or invalid). */
    readonly traceId: string,
    /** 16 lowercase hex digits ('' when missing or invalid). */
    readonly spanId: string,
    /** 16 lowercase hex digits, '' for a root span. */
    readonly parentSpanId: string,
    readonly name: string,
    readonly kind: SpanKind,
    readonly startMs: number,
    /** End minus start in milliseconds; 0 when the end is missing or before the start. */
    readonly durationMs: number,
    readonly status: { readonly code: StatusCode; readonly message: string },
    /** From the `code.*` attributes of either generation; undefined when the span has none. */
    readonly code: CodeLocation | undefined,
    readonly events: readonly SpanEvent[],
    readonly exceptions: readonly ExceptionInfo[],
    readonly resource: ResourceInfo,
    /** Instrumentation scope name. */
    readonly scope: string,
    /** A SERVER span's HTTP response status (`http.response.status_code`), read at decode time; 0 when none or not a server span. */
    readonly httpStatus: number,
    /** The attributes: their list (as decoded), the JSON text of that list (from a batch), or the object. */
    attributes: AttributeList | string | Attributes,
  ) {
    if (typeof attributes === 'string') this.#json = attributes;
    else if (Array.isArray(attributes)) this.#list = attributes as AttributeList;
    else this.#attributes = attributes as Attributes;
  }

  get attributes(): Attributes {
    if (this.#attributes === undefined) {
      if (this.#json !== undefined) {
        this.#attributes = materialize(attrsFromJson(this.#json) as unknown as AttributeList, false);
        this.#json = undefined;
      } else {
        const list = this.#list ?? EMPTY_LIST;
        this.#attributes = materialize(list, list === EMPTY_LIST);
        this.#list = undefined;
      }
    }
    return this.#attributes;
  }

  /** The span's attributes as a list, without making the object when the span still holds the list (what a batch carries). */
  static listOf(s: { readonly attributes: Attributes }): AttributeList {
    return (s instanceof SpanRecord ? s.#list : undefined) ?? listOf(s.attributes);
  }
}
