import * as vscode from 'vscode';

/**
 * The one place where the core's 1-based lines (as OpenTelemetry and stack traces report them)
 * become VS Code's 0-based positions. Lines past the end of the document are clamped to it.
 */
export function toVsLine(line1: number, document?: { readonly lineCount: number }): number {
  const l = Math.max(0, Math.floor(line1) - 1);
  return document ? Math.min(l, Math.max(0, document.lineCount - 1)) : l;
}

/** VS Code's 0-based line back to the core's 1-based line. */
export function toCoreLine(line0: number): number {
  return line0 + 1;
}

/** The range of a 1-based line's text, from its first non-blank character to its end. */
export function lineTextRange(document: vscode.TextDocument, line1: number): vscode.Range {
  const line = document.lineAt(toVsLine(line1, document));
  return new vscode.Range(line.lineNumber, line.firstNonWhitespaceCharacterIndex, line.lineNumber, line.range.end.character);
}

/** A location of a 1-based line (column 1-based, 0 when unknown) in a file. */
export function toLocation(file: string, line1: number, column1 = 0): vscode.Location {
  const pos = new vscode.Position(toVsLine(line1), Math.max(0, column1 - 1));
  return new vscode.Location(vscode.Uri.file(file), pos);
}
