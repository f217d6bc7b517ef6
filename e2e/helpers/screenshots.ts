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
  // The Blocklet store takes 16:9 pictures (blocklet.yml lists these).
  if (viewport && viewport.width >= 1280) {
    fs.mkdirSync(path.join(SCREENSHOT_DIR, 'store'), { recursive: true });
    const clip = { x: 0, y: 0, width: viewport.width, height: Math.round((viewport.width * 9) / 16) };
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'store', `${name}.png`), clip, animations: 'disabled', caret: 'hide' });
  }
  return file;
}
