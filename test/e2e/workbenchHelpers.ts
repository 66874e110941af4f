import { type Locator, type Page } from 'playwright-core';

/** A row of any tree or list in the workbench, by its text. */
export function row(page: Page, text: string | RegExp) {
  return page.locator('.monaco-list-row', { hasText: text }).first();
}

/** Runs a command from the command palette by its title. */
export async function runCommand(page: Page, title: string, attempts = 3): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    await input.waitFor({ timeout: 10_000 });
    // a palette opened while the workbench is still closing another quick input or a dialog can be
    // inert for a moment (seen in CI: "element is inert" for 30 s): close it and open it again, as a user would
    if (await input.fill(`>${title}`, { timeout: 5_000 }).then(() => true, () => false)) break;
    if (attempt >= attempts) throw new Error(`the command palette took no input after ${attempts} tries (running "${title}")`);
    console.log(`    (the command palette took no input: trying again)`);
    await page.keyboard.press('Escape');
    await page.waitForTimeout(500);
  }
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

/** A row of a tree in the side bar (not of a QuickPick), by its text. */
export function treeRow(page: Page, text: string | RegExp) {
  return page.locator('.part.sidebar .monaco-list-row', { hasText: text }).first();
}

/** Answers the "which slice?" QuickPick (its placeholder says "Which slice do you want to …?"): filters to the slice, then accepts the first match. */
export async function pickSlice(page: Page, label: string, timeout = 15_000): Promise<void> {
  const input = page.locator('.quick-input-widget input[placeholder^="Which slice"]');
  await input.waitFor({ timeout });
  await input.fill(label, { timeout });
  await page.locator('.quick-input-widget .monaco-list-row.focused', { hasText: label }).first().waitFor({ timeout });
  await page.keyboard.press('Enter');
}

/**
 * Runs a command that asks which slice, and picks one. The QuickPick can open inert (a preview that
 * just opened takes the focus, a keystroke during its opening is lost; seen in CI): Escape and run the
 * command again, up to `attempts` times, as a user would.
 */
export async function runSliceCommand(page: Page, title: string, label: string, attempts = 3): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await runCommand(page, title);
    if (await pickSlice(page, label, 10_000).then(() => true, () => false)) return;
    if (attempt >= attempts) throw new Error(`the ${title.replace(/^Slice: /, '')} QuickPick took no input after ${attempts} tries`);
    console.log(`    (the ${title.replace(/^Slice: /, '')} QuickPick took no input: trying again)`);
    await page.keyboard.press('Escape');
  }
}

/**
 * Right-clicks a row and clicks an item of its context menu until `confirmation` shows. A click that
 * lands while the menu is still opening (or the row re-renders under it) is lost (seen in CI): Escape
 * and try again, up to `attempts` times, as a user would.
 */
export async function contextMenuAction(page: Page, target: Locator, item: string, confirmation: Locator, attempts = 3): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await target.click({ button: 'right' });
    const action = page.locator('.context-view .action-label', { hasText: item }).first();
    await action.waitFor({ state: 'visible', timeout: 15_000 });
    await page.waitForTimeout(200);
    await action.click({ timeout: 15_000 });
    if (await confirmation.waitFor({ timeout: 5_000 }).then(() => true, () => false)) return;
    if (attempt >= attempts) throw new Error(`${item} in the context menu opened no confirmation after ${attempts} tries`);
    console.log(`    (${item} in the context menu opened no confirmation: trying again)`);
    await page.keyboard.press('Escape');
  }
}

/** Quick Open (Ctrl+P): filters to a file name and opens the first match. */
export async function quickOpen(page: Page, name: string, timeout = 45_000): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 10_000 });
  await input.fill(name);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first().waitFor({ timeout });
  await page.keyboard.press('Enter');
}

/** Go to Line/Column… in the active editor (which scrolls the line into view). */
export async function goToLine(page: Page, line: number): Promise<void> {
  await runCommand(page, 'Go to Line/Column...');
  const input = page.locator('.quick-input-widget input');
  await page.waitForTimeout(200);
  await input.pressSequentially(String(line));
  await input.press('Enter');
  await page.waitForTimeout(400);
}

/** The `after` texts of the visible editor lines (end-of-line decorations: VS Code renders them as CSS ::after content). */
export function afterTexts(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(AFTER_TEXTS);
}

/** Runs in the page. */
const AFTER_TEXTS = `(() => {
  const out = [];
  for (const el of document.querySelectorAll('.monaco-editor .view-line span')) {
    const c = getComputedStyle(el, '::after').content;
    if (c && c !== 'none' && c !== 'normal' && c !== '""') out.push(c);
  }
  return out;
})()`;

/** Slice: Import Telemetry File… through the command palette and code-server's file dialog. */
export async function importFile(page: Page, file: string): Promise<void> {
  // code-server's file dialog is a quick input that navigates as its value changes: enter the
  // folder, then pick the file from its list and accept.
  const input = page.locator('.quick-input-widget input');
  // The command can be lost while the palette's list still renders (seen once: no dialog in 10 s): run it again, as a user would.
  for (let attempt = 1; ; attempt++) {
    await runCommand(page, 'Slice: Import Telemetry File…');
    if (await input.waitFor({ timeout: 10_000 }).then(() => true, () => false)) break;
    if (attempt === 3) throw new Error('Slice: Import Telemetry File… opened no file dialog after 3 tries');
    console.log('    (Import Telemetry File… opened no file dialog: trying again)');
  }
  await page.waitForTimeout(500);
  const slash = file.lastIndexOf('/');
  const name = file.slice(slash + 1);
  const folder = file.slice(0, slash + 1);
  // Seen once: the dialog put its starting folder in after our value was filled in, and the two ran
  // together ("…/dist/services//work/…"): fill it again until the value starts with ours.
  for (let attempt = 1; ; attempt++) {
    await input.fill(folder);
    await page.waitForTimeout(300);
    const value = await input.inputValue();
    if (value.startsWith(folder)) break;
    if (attempt === 3) throw new Error(`the file dialog's value is ${value}, not ${folder}, after 3 tries`);
  }
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first();
  await row.waitFor({ timeout: 10_000 });
  await row.click();
  // A click on a file accepts it; the dialog then closes. (Never send keys after that: they would reach the editor.)
  await page.locator('.quick-input-widget', { hasText: 'Import Telemetry File' }).waitFor({ state: 'hidden', timeout: 10_000 });
}
