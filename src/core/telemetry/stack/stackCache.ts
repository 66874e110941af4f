/**
 * Stack traces parsed once: the pipeline's one cache of parsed exceptions, shared by the aggregator
 * (line statistics, throw sites) and the recent errors. The same trace text repeats for every
 * failing call of a line; it is parsed the first time and looked up after.
 */
import { type ParsedStack } from '../model';
import { parseStack, runtimeOfLanguage } from './index';

const LIMIT = 512;

export class StackCache {
  private readonly parsed = new Map<string, ParsedStack>();

  /** The parsed stack of `stacktrace`; `language` is the resource's `telemetry.sdk.language` (a hint). */
  parse(stacktrace: string, language: unknown): ParsedStack {
    let s = this.parsed.get(stacktrace);
    if (!s) {
      s = parseStack(stacktrace, runtimeOfLanguage(typeof language === 'string' ? language : undefined));
      if (this.parsed.size >= LIMIT) this.parsed.clear();
      this.parsed.set(stacktrace, s);
    }
    return s;
  }

  clear(): void {
    this.parsed.clear();
  }
}
