/**
 * The navigation at desktop width (a fixed sidebar) and at phone width (a menu behind a button),
 * and every page fitting the phone's width without sideways scrolling.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, launchBrowser, type BrowserSession } from './helpers/browser.js';
import { chatOnce, seedOpenAI, startE2eHub, type E2eHub } from './helpers/hub.js';
import { saveScreenshot } from './helpers/screenshots.js';
import { logIn, navLabels, openPage, tid, waitForSidebar } from './helpers/ui.js';

const ADMIN_PAGES = ['providers', 'rates', 'usage', 'calls', 'keys', 'playground', 'my-keys', 'credits', 'pricing'];

/** Where the sidebar sits relative to the viewport: fully on screen, or pushed off to the left. */
async function sidebarOnScreen(page: Page): Promise<boolean> {
  const box = await page.locator('#main-nav').boundingBox();
  return Boolean(box && box.x >= 0 && box.x + box.width > 0 && box.width > 0);
}

async function sidebarOffScreen(page: Page): Promise<boolean> {
  const box = await page.locator('#main-nav').boundingBox();
  return !box || box.x + box.width <= 0;
}

/** True when the page is no wider than the viewport (no sideways scrolling). */
async function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

describe('navigation at desktop and phone widths', () => {
  let hub: E2eHub;
  let browser: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    hub = await startE2eHub();
    await seedOpenAI(hub);
    const reply = await chatOnce(hub, hub.adminKey, 'Hello from a phone');
    expect(reply.status).toBe(200);
    browser = await launchBrowser();
    page = await browser.newPage(DESKTOP);
    await logIn(page, hub.url, hub.adminKey);
  });

  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  it('at 1280 px shows the sidebar beside the page, without a menu button, and every link works', async () => {
    await page.setViewportSize(DESKTOP);
    expect(await tid(page, 'nav-toggle').isVisible()).toBe(false);
    expect(await sidebarOnScreen(page)).toBe(true);
    expect(await navLabels(page)).toHaveLength(ADMIN_PAGES.length);
    for (const name of ADMIN_PAGES) {
      await tid(page, `nav-${name}`).click();
      await page.waitForFunction((route) => window.location.hash === `#/${route}`, name);
      // The page renders right after the hash changes: wait for the link to be marked current.
      await page.locator(`[data-testid="nav-${name}"][aria-current="page"]`).waitFor({ timeout: 5000 });
      expect(await tid(page, `nav-${name}`).getAttribute('aria-current')).toBe('page');
      await page.locator('main h1').first().waitFor({ state: 'visible', timeout: 5000 });
      expect(await page.locator('main h1').first().isVisible()).toBe(true);
      expect(await sidebarOnScreen(page)).toBe(true);
    }
  });

  it('at 390 px hides the sidebar behind a menu button that opens and closes it', async () => {
    await page.setViewportSize(PHONE);
    await openPage(page, 'providers');
    const toggle = tid(page, 'nav-toggle');
    await toggle.waitFor();
    expect(await toggle.isVisible()).toBe(true);
    await page.locator('[data-testid="nav-toggle"][aria-expanded="false"]').waitFor({ timeout: 5000 });
    await waitForSidebar(page, 'closed');
    expect(await sidebarOffScreen(page)).toBe(true);

    await toggle.click();
    await page.locator('[data-testid="nav-toggle"][aria-expanded="true"]').waitFor({ timeout: 5000 });
    await waitForSidebar(page, 'open');
    expect(await sidebarOnScreen(page)).toBe(true);
    expect(await navLabels(page)).toEqual(['Providers', 'Model rates', 'Usage', 'Call log', 'Access keys & apps', 'Playground', 'My keys', 'Credits', 'Pricing']);
    await saveScreenshot(page, 'phone-nav');

    // Tapping the link of the page already shown folds the menu away and stays there.
    await tid(page, 'nav-providers').click();
    await page.locator('[data-testid="nav-toggle"][aria-expanded="false"]').waitFor({ timeout: 5000 });
    await waitForSidebar(page, 'closed');
    expect(await page.evaluate(() => window.location.hash)).toBe('#/providers');

    // Following a link to another page navigates and folds the menu away again.
    await toggle.click();
    await waitForSidebar(page, 'open');
    await tid(page, 'nav-usage').click();
    await page.waitForFunction(() => window.location.hash === '#/usage');
    await page.locator('[data-testid="nav-toggle"][aria-expanded="false"]').waitFor({ timeout: 5000 });
    await waitForSidebar(page, 'closed');

    // Tapping beside the open menu closes it too.
    await toggle.click();
    await waitForSidebar(page, 'open');
    await page.mouse.click(PHONE.width - 20, PHONE.height / 2);
    await page.locator('[data-testid="nav-toggle"][aria-expanded="false"]').waitFor({ timeout: 5000 });
    await waitForSidebar(page, 'closed');
    expect(await page.evaluate(() => window.location.hash)).toBe('#/usage');
  });

  it('at 390 px every page fits the screen width and its heading is visible', async () => {
    await page.setViewportSize(PHONE);
    for (const name of ADMIN_PAGES) {
      await openPage(page, name);
      const heading = page.locator('main h1').first();
      await heading.waitFor();
      await page.locator('[data-testid="loading"]').first().waitFor({ state: 'detached' }).catch(() => undefined);
      expect(await heading.isVisible()).toBe(true);
      // The page starts right under the top bar, however short it is.
      const bar = (await page.locator('.topbar').boundingBox())!;
      const top = (await heading.boundingBox())!;
      expect(top.y - (bar.y + bar.height), `${name} heading is pushed down`).toBeLessThan(48);
      expect(await fitsWidth(page), `${name} is wider than the phone`).toBe(true);
      expect(await sidebarOffScreen(page)).toBe(true);
    }
  });
});
