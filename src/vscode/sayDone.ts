import * as vscode from 'vscode';

/** How long a done-message stays in the status bar. */
const SHOWN_MS = 8000;

/**
 * Says that a normal action went through, in the status bar for a few seconds, not in a popup: a
 * popup is for what needs the user (a failure, a choice, a result other than the one asked for).
 * The message disposes itself when its time is up.
 */
export function sayDone(text: string): void {
  vscode.window.setStatusBarMessage(`$(check) ${text}`, SHOWN_MS);
}
