'use strict';
// Slice request routing (docs/routing.md): what an app needs so that a request carrying a slice's
// routing key reaches that slice's forks on every hop, not only the first.
//
// - The key travels as the W3C baggage member `slice-routing-key`. OpenTelemetry's W3C baggage
//   propagator (on by default in the Node SDK, kept here explicitly) reads it from each incoming
//   request into the active context and writes it into every outgoing request made in that context
//   (the HTTP instrumentation does both). A hop that loses the context (a queue, a thread pool, a
//   client that is not instrumented) drops the key, and routing stops at that hop.
// - Clients without OpenTelemetry may send the plain header `x-slice-routing-key` instead: the
//   propagator below turns it into the baggage member on the way in, so the next hops get it too.
// - Spans get the key's public part (the slice name) as `slice.routing.slice`, never the secret:
//   the baseline's traces are readable by other developers.
// The names and the key's format are src/core/routing/routingKey.ts (kept in step by a test).
const { propagation } = require('@opentelemetry/api');

const BAGGAGE_MEMBER = 'slice-routing-key';
const ROUTING_HEADER = 'x-slice-routing-key';
const SPAN_ATTRIBUTE_SLICE = 'slice.routing.slice';
const KEY = /^([a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)\.([0-9a-f]{32})$/;

/** Extracts `x-slice-routing-key` into the baggage (when the baggage has no key of its own); injects nothing. */
class SliceRoutingHeaderPropagator {
  inject() {}

  extract(context, carrier, getter) {
    const raw = getter.get(carrier, ROUTING_HEADER);
    const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
    if (!value || !KEY.test(value)) return context;
    const bag = propagation.getBaggage(context) ?? propagation.createBaggage();
    return propagation.setBaggage(context, bag.setEntry(BAGGAGE_MEMBER, { value }));
  }

  fields() {
    return [ROUTING_HEADER];
  }
}

/** Copies the slice part of the routing key in the span's context onto the span, when it starts. */
class SliceRoutingSpanProcessor {
  onStart(span, parentContext) {
    const value = propagation.getBaggage(parentContext)?.getEntry(BAGGAGE_MEMBER)?.value;
    const m = value === undefined ? null : KEY.exec(value);
    if (m) span.setAttribute(SPAN_ATTRIBUTE_SLICE, m[1]);
  }

  onEnd() {}

  forceFlush() {
    return Promise.resolve();
  }

  shutdown() {
    return Promise.resolve();
  }
}

module.exports = { SliceRoutingHeaderPropagator, SliceRoutingSpanProcessor, BAGGAGE_MEMBER, ROUTING_HEADER, SPAN_ATTRIBUTE_SLICE, KEY };
