import { type Page } from 'playwright-core';

/** A row of any tree or list in the workbench, by its text. */
export function row(page: Page, text: string | RegExp) {
  return page.locator('.monaco-list-row', { hasText: text }).first();
}

/** Runs a command from the command palette by its title. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 10_000 });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

/** A row of a tree in the side bar (not of a QuickPick), by its text. */
export function treeRow(page: Page, text: string | RegExp) {
  return page.locator('.part.sidebar .monaco-list-row', { hasText: text }).first();
}
