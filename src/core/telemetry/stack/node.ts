/**
 * V8 stack traces (Node.js, Deno, Chrome): `Error: msg` then `    at fn (file:line:col)` frames,
 * including `at async fn (...)`, `at new C (...)`, `file://` URLs (ES modules), `eval at` origins,
 * Windows paths, and location-less frames (`native`, `index 0`, `<anonymous>`).
 */
import { type ParsedStack, type StackFrame } from '../model';
import { MAX_FRAMES, fileUrlToPath, frame, linesOf, splitTypeMessage, toInt } from './common';

const LOC = /^(.*?):(\d+)(?::(\d+))?$/;

/** `file:line:col` (or `file:line`) as a frame; undefined when there is no line. */
function location(loc: string, fn: string, isAsync: boolean): StackFrame | undefined {
  let l = loc.trim();
  // eval frames: `eval at origin (/app/x.js:1:1), <anonymous>:1:1`: use the origin
  if (l.startsWith('eval at ')) {
    const m = /\(([^()]+:\d+:\d+)\)/.exec(l);
    if (!m) return undefined;
    l = m[1]!;
  }
  const m = LOC.exec(l);
  if (!m) return undefined;
  const file = fileUrlToPath(m[1]!);
  return frame(file, toInt(m[2]), toInt(m[3]), fn, isInternal(file), isAsync);
}

function isInternal(file: string): boolean {
  return file.startsWith('node:') || file.startsWith('internal/') || file === '<anonymous>' || file === 'native' || (!file.includes('/') && !file.includes('\\'));
}

/** One `at ...` frame (without the `at `). */
export function parseV8Frame(text: string): StackFrame {
  let t = text.trim();
  let isAsync = false;
  if (t.startsWith('async ')) {
    isAsync = true;
    t = t.slice(6);
  }
  if (t.endsWith(')')) {
    const open = t.indexOf(' (');
    if (open > 0) {
      const fn = t.slice(0, open);
      const loc = t.slice(open + 2, -1);
      return location(loc, fn, isAsync) ?? frame('', 0, 0, fn, true, isAsync);
    }
  }
  return location(t, '', isAsync) ?? frame('', 0, 0, t, true, isAsync);
}

/** Parses a V8 stack trace. The header (type and message) may span several lines. */
export function parseNodeStack(text: string): ParsedStack {
  const lines = linesOf(text);
  const frames: StackFrame[] = [];
  const header: string[] = [];
  let inFrames = false;
  for (const line of lines) {
    const t = line.trimStart();
    if (t.startsWith('at ') && (line.length > t.length || inFrames || header.length === 0)) {
      inFrames = true;
      if (frames.length < MAX_FRAMES) frames.push(parseV8Frame(t.slice(3)));
    } else if (!inFrames) {
      header.push(line);
    } else if (t.length > 0 && !t.startsWith('...')) {
      break; // anything after the frames (e.g. `{ code: 'E' }`, a second error) ends this one
    }
  }
  const { type, message } = splitTypeMessage(header.join('\n'));
  return { runtime: 'node', type, message, frames, causes: [] };
}
