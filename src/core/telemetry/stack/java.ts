/**
 * JVM stack traces (Java, Kotlin, Scala): `pkg.Type: message`, `\tat pkg.Class.method(File.java:42)`
 * frames (with module `java.base/` or class-loader `app//` prefixes, `Native Method`, `Unknown
 * Source`), `Caused by:` chains, `... N more` (filled from the enclosing trace) and `Suppressed:`
 * blocks (skipped). Frames carry the package path (`com/x/Foo.java`): JVM traces have no full paths.
 */
import { type ParsedStack, type StackFrame } from '../model';
import { MAX_FRAMES, frame, linesOf, splitTypeMessage, toInt } from './common';

const INTERNAL_PREFIXES = ['java.', 'javax.', 'jdk.', 'sun.', 'com.sun.', 'kotlin.', 'kotlinx.', 'scala.'];

/** One frame from the text after `at `. */
export function parseJavaFrame(text: string): StackFrame | undefined {
  const open = text.lastIndexOf('(');
  if (open < 0 || !text.endsWith(')')) return undefined;
  let qualified = text.slice(0, open).trim();
  const slash = qualified.lastIndexOf('/');
  if (slash >= 0) qualified = qualified.slice(slash + 1); // `java.base/`, `app//`
  const loc = text.slice(open + 1, -1);
  const dot = qualified.lastIndexOf('.');
  const cls = dot > 0 ? qualified.slice(0, dot) : '';
  const pkgEnd = cls.lastIndexOf('.');
  const pkgPath = pkgEnd > 0 ? `${cls.slice(0, pkgEnd).replace(/\./g, '/')}/` : '';
  const internal = INTERNAL_PREFIXES.some((p) => qualified.startsWith(p));
  const colon = loc.lastIndexOf(':');
  if (colon > 0) return frame(pkgPath + loc.slice(0, colon), toInt(loc.slice(colon + 1)), 0, qualified, internal);
  const known = loc !== 'Native Method' && loc !== 'Unknown Source' && !loc.startsWith('Unknown');
  return frame(known ? pkgPath + loc : '', 0, 0, qualified, internal || !known);
}

interface Trace {
  type: string;
  message: string;
  frames: StackFrame[];
}

/** Parses a JVM stack trace; `Caused by:` blocks become causes, outermost first. */
export function parseJavaStack(text: string): ParsedStack {
  const traces: Trace[] = [];
  let cur: Trace | undefined;
  let suppressed = false;
  for (const line of linesOf(text)) {
    const t = line.trim();
    if (t.length === 0) continue;
    const indented = line.length > line.trimStart().length;
    if (t.startsWith('at ')) {
      if (!cur || suppressed) continue;
      const f = parseJavaFrame(t.slice(3));
      if (f && cur.frames.length < MAX_FRAMES) cur.frames.push(f);
      continue;
    }
    const more = /^\.\.\. (\d+) (?:more|common frames omitted)$/.exec(t);
    if (more) {
      // the last N frames are those of the enclosing trace
      const outer = traces.length >= 2 ? traces[traces.length - 2] : undefined;
      if (cur && !suppressed && outer) {
        const n = Math.min(toInt(more[1]), outer.frames.length, MAX_FRAMES - cur.frames.length);
        if (n > 0) cur.frames.push(...outer.frames.slice(outer.frames.length - n));
      }
      continue;
    }
    if (t.startsWith('Suppressed: ')) {
      suppressed = true;
      continue;
    }
    if (t.startsWith('Caused by: ')) {
      if (indented) continue; // a cause inside a suppressed block
      suppressed = false;
      cur = { ...splitTypeMessage(t.slice(11)), frames: [] };
      traces.push(cur);
      continue;
    }
    if (!cur) {
      const header = t.replace(/^Exception in thread "[^"]*" /, '');
      cur = { ...splitTypeMessage(header), frames: [] };
      traces.push(cur);
    } else if (!suppressed && cur.frames.length === 0) {
      cur.message += `\n${t}`; // a message over several lines
    }
  }
  const [main, ...causes] = traces;
  return { runtime: 'java', type: main?.type ?? '', message: main?.message ?? '', frames: main?.frames ?? [], causes };
}
