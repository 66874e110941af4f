/**
 * Helpers shared by the stack-trace parsers.
 */
import { type StackFrame } from '../model';

/** Most frames kept per exception (the rest are dropped); stacks come from untrusted processes. */
export const MAX_FRAMES = 256;
/** Most lines read from one stack trace. */
export const MAX_LINES = 4096;

/** The lines of `text` (LF or CRLF), at most MAX_LINES. */
export function linesOf(text: string): string[] {
  const lines = text.split('\n', MAX_LINES);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.endsWith('\r')) lines[i] = l.slice(0, -1);
  }
  return lines;
}

/** A `file://` URL as a path (percent-decoded; `file:///C:/x` becomes `C:/x`); anything else as it is. */
export function fileUrlToPath(file: string): string {
  if (!file.startsWith('file://')) return file;
  let p = file.slice(7);
  if (p.startsWith('localhost/')) p = p.slice(9);
  if (/^\/[A-Za-z]:[/\\]/.test(p)) p = p.slice(1);
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}

/** A positive integer from digits only, or 0. */
export function toInt(s: string | undefined): number {
  if (!s) return 0;
  const n = Number(s);
  return Number.isInteger(n) && n > 0 ? n : 0;
}

export function frame(file: string, line: number, column: number, fn: string, internal: boolean, isAsync?: boolean): StackFrame {
  return isAsync ? { file, line, column, function: fn, internal, async: true } : { file, line, column, function: fn, internal };
}

/** Splits `Type: message` (the first `: `); a line without one is all type when it looks like a name. */
export function splitTypeMessage(line: string): { type: string; message: string } {
  const i = line.indexOf(': ');
  if (i > 0) return { type: line.slice(0, i).trim(), message: line.slice(i + 2) };
  const t = line.trim();
  return /^[\w.$]+$/.test(t) ? { type: t, message: '' } : { type: '', message: t };
}
