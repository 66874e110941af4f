import { type ConfigurationOptions, type ObservableMiddleware } from '@kubernetes/client-node';
// The client's own Observable stub: its middleware must return one. (The package has no exports map.)
import { of } from '@kubernetes/client-node/dist/gen/rxjsStub.js';

/** Request options that bind a request to an abort signal (a timeout, a lifetime, or both). */
export function withSignal(signal: AbortSignal): ConfigurationOptions<ObservableMiddleware> {
  const middleware: ObservableMiddleware = {
    pre: (request) => {
      request.setSignal(signal);
      return of(request);
    },
    post: (response) => of(response),
  };
  return { middleware: [middleware], middlewareMergeStrategy: 'append' };
}

/** A signal that aborts when `parent` does or after `timeoutMs`; `timedOut` tells which. */
export function deadline(parent: AbortSignal, timeoutMs: number): { signal: AbortSignal; timedOut: () => boolean } {
  const timeout = AbortSignal.timeout(timeoutMs);
  return { signal: AbortSignal.any([parent, timeout]), timedOut: () => timeout.aborted };
}
