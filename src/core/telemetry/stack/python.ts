/**
 * Python tracebacks: `Traceback (most recent call last):`, `  File "path", line N, in fn` frames
 * (most recent last: reversed here), the `Type: message` line, chained exceptions (`The above
 * exception was the direct cause...` / `During handling of the above exception...`), 3.11+ caret
 * lines and exception-group borders (`  | `, `  +-+---`).
 */
import { type ParsedStack, type StackFrame } from '../model';
import { MAX_FRAMES, frame, linesOf, splitTypeMessage, toInt } from './common';

const FRAME = /^File "(.*)", line (\d+)(?:, in (.*))?$/;

interface Block {
  type: string;
  message: string;
  frames: StackFrame[];
}

/** A line without exception-group borders (`| ` prefixes). */
function unframe(line: string): string {
  let l = line;
  for (;;) {
    const t = l.trimStart();
    if (t.startsWith('| ')) l = t.slice(2);
    else if (t === '|') return '';
    else return l;
  }
}

/** Parses a Python traceback; with chained exceptions the last one is the exception, the earlier ones its causes. */
export function parsePythonStack(text: string): ParsedStack {
  const blocks: Block[] = [];
  let cur: Block = { type: '', message: '', frames: [] };
  let afterFrames = false;
  for (const raw of linesOf(text)) {
    const line = unframe(raw);
    const t = line.trim();
    if (t.length === 0 || t.startsWith('+-') || t.startsWith('+ ') || /^[~^\s]+$/.test(t)) continue;
    if (t.startsWith('Traceback (most recent call last)') || t.startsWith('Exception Group Traceback')) {
      if (cur.frames.length > 0 || cur.type) blocks.push(cur);
      cur = { type: '', message: '', frames: [] };
      afterFrames = false;
      continue;
    }
    if (t.startsWith('The above exception was the direct cause') || t.startsWith('During handling of the above exception')) continue;
    const m = FRAME.exec(t);
    if (m) {
      if (cur.frames.length < MAX_FRAMES) {
        const file = m[1]!;
        cur.frames.push(frame(file, toInt(m[2]), 0, m[3] ?? '', file.startsWith('<')));
      }
      afterFrames = true;
      continue;
    }
    const indented = line.length > line.trimStart().length;
    if (afterFrames && !indented && !cur.type) {
      const { type, message } = splitTypeMessage(t);
      cur.type = type;
      cur.message = message;
    } else if (cur.type && !indented) {
      cur.message += `\n${t}`; // a message over several lines
    }
  }
  if (cur.frames.length > 0 || cur.type) blocks.push(cur);
  for (const b of blocks) b.frames.reverse();
  const main = blocks.pop() ?? { type: '', message: '', frames: [] };
  return { runtime: 'python', type: main.type, message: main.message, frames: main.frames, causes: blocks.reverse() };
}
