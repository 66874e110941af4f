/**
 * Stack traces of any supported runtime: detection by shape (or a hint from the resource's
 * `telemetry.sdk.language`), then the runtime's parser. Parsers never throw.
 */
import { type ParsedStack, type StackFrame } from '../model';
import { parseGoStack } from './go';
import { parseJavaStack } from './java';
import { parseNodeStack } from './node';
import { parsePythonStack } from './python';

export type StackRuntime = ParsedStack['runtime'];

/** The runtime whose format `text` has, by cheap substring checks. */
export function detectRuntime(text: string): StackRuntime {
  if (text.includes('Traceback (most recent call last)') || text.includes('  File "')) return 'python';
  if (/^goroutine \d+ \[/m.test(text) || (text.includes('.go:') && text.includes('panic: '))) return 'go';
  if (/^\s+at [\w$.<>/]+\(\S*\.(java|kt|scala|groovy):\d+\)$/m.test(text) || /^\s+at [\w$./<>]+\((Native Method|Unknown Source)\)$/m.test(text)) return 'java';
  if (/^\s+at .+/m.test(text)) return 'node';
  return 'unknown';
}

/** `telemetry.sdk.language` values to runtimes. */
export function runtimeOfLanguage(language: string | undefined): StackRuntime | undefined {
  switch (language) {
    case 'nodejs':
    case 'webjs':
      return 'node';
    case 'python':
      return 'python';
    case 'java':
      return 'java';
    case 'go':
      return 'go';
    default:
      return undefined;
  }
}

const EMPTY: readonly StackFrame[] = [];

/**
 * Parses a stack trace. The hint is used when the text has no recognisable shape of its own (e.g. a
 * bare frame list). Never throws: anything unexpected yields a stack with no frames.
 */
export function parseStack(text: string, hint?: StackRuntime): ParsedStack {
  const detected = detectRuntime(text);
  const runtime = detected === 'unknown' && hint ? hint : detected;
  try {
    switch (runtime) {
      case 'node':
        return parseNodeStack(text);
      case 'python':
        return parsePythonStack(text);
      case 'java':
        return parseJavaStack(text);
      case 'go':
        return parseGoStack(text);
      default:
        break;
    }
  } catch {
    // fall through: a parser bug must not take the pipeline down
  }
  const firstLine = text.split('\n', 1)[0] ?? '';
  return { runtime: 'unknown', type: '', message: firstLine, frames: EMPTY, causes: [] };
}

export { parseGoStack, parseJavaStack, parseNodeStack, parsePythonStack };
