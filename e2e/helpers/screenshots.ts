/** Screenshots of the running dashboard, saved under screenshots/ (overwritten on every run). */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from './web-build.js';

export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'screenshots');

/**
 * Saves what the page shows. With `fullPage`, the window is made as tall as the page for the shot
 * (so that full-height parts such as the sidebar are drawn as a user sees them), then restored.
 */
export async function saveScreenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  // Let fonts and pending layout settle so the picture matches what a user sees.
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  const viewport = page.viewportSize();
  const height = options.fullPage ? await page.evaluate(() => document.documentElement.scrollHeight) : 0;
  if (viewport && height > viewport.height) await page.setViewportSize({ width: viewport.width, height });
  try {
    await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
  } finally {
    if (viewport && height > viewport.height) await page.setViewportSize(viewport);
  }
  return file;
}
