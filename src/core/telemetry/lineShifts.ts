/**
 * Where a line of an earlier version of a document is now, after the edits made since: runtime
 * data is recorded against the version the slice ran (a content hash), and a diagnostic drawn from
 * it must follow the lines the developer inserts or deletes above it (issue 20 item 8), not stay
 * on its old line number. Pure: the editor feeds the edits (its change events) and the content
 * hashes it sees; lines are 0-based here, as the editor's.
 */

/** One replaced range, as an editor change event gives it. */
export interface LineEdit {
  readonly startLine: number;
  readonly startCharacter: number;
  readonly endLine: number;
  readonly endCharacter: number;
  /** Line breaks in the inserted text. */
  readonly insertedLines: number;
}

/**
 * Where 0-based `line` is after `edit`: the same line when it starts before the edit, shifted when
 * it starts at or after the edit's end, undefined when its start was replaced.
 */
export function shiftLine(line: number, e: LineEdit): number | undefined {
  if (line < e.startLine || (line === e.startLine && e.startCharacter > 0)) return line;
  if (line > e.endLine || (line === e.endLine && e.endCharacter === 0)) return line + e.insertedLines - (e.endLine - e.startLine);
  return undefined;
}

/** Most edits remembered per document; older versions are forgotten (their lines are then not moved). */
const MAX_EDITS = 5_000;

/** The edits of one document since the versions (content hashes) it was seen at. */
export class LineShifts {
  private edits: LineEdit[] = [];
  /** Per content hash: how many edits had been made when the document last had that content. */
  private readonly seenAt = new Map<string, number>();
  private dropped = 0;

  /** The document has content `hash` now. */
  seen(hash: string): void {
    this.seenAt.set(hash, this.dropped + this.edits.length);
  }

  /** The document changed (the ranges of one change event, in the order the editor applies them). */
  edited(edits: readonly LineEdit[]): void {
    this.edits.push(...edits);
    if (this.edits.length > MAX_EDITS) {
      const cut = this.edits.length - MAX_EDITS;
      this.edits = this.edits.slice(cut);
      this.dropped += cut;
      for (const [h, at] of this.seenAt) if (at < this.dropped) this.seenAt.delete(h);
    }
  }

  /**
   * Where 0-based `line` of the document as it was with content `hash` is now: undefined when
   * that line was deleted or replaced; the line as it was when that version was never seen.
   */
  map(hash: string, line: number): number | undefined {
    const at = this.seenAt.get(hash);
    if (at === undefined) return line;
    let l: number | undefined = line;
    for (let i = at - this.dropped; i < this.edits.length && l !== undefined; i++) l = shiftLine(l, this.edits[i]!);
    return l;
  }
}
