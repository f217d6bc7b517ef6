/** Small steps a user takes in the dashboard, shared by the end-to-end tests. */
import type { Locator, Page } from 'playwright-core';

export const tid = (page: Page | Locator, id: string): Locator => page.locator(`[data-testid="${id}"]`);

/** Opens the hub's root page, signs in with `key` through the login form, and waits for the shell. */
export async function logIn(page: Page, url: string, key: string): Promise<void> {
  await page.goto(`${url}/`);
  await tid(page, 'login-form').waitFor();
  await tid(page, 'login-key').fill(key);
  await tid(page, 'login-submit').click();
  await tid(page, 'session-user').waitFor({ state: 'attached' });
}

/** The labels of the links in the main navigation, in order. */
export async function navLabels(page: Page): Promise<string[]> {
  return (await page.locator('#main-nav .nav-link').allInnerTexts()).map((s) => s.trim());
}

/** Follows a main-navigation link the way a user does: on a phone, through the menu button first. */
export async function openPage(page: Page, name: string): Promise<void> {
  const toggle = tid(page, 'nav-toggle');
  const phone = await toggle.isVisible();
  if (phone) {
    if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
    await waitForSidebar(page, 'open');
  }
  await tid(page, `nav-${name}`).click();
  await page.waitForFunction((route) => window.location.hash.startsWith(`#/${route}`), name);
  if (phone) await waitForSidebar(page, 'closed');
}

/** Waits for the phone menu to finish sliding in (open) or out (closed). */
export async function waitForSidebar(page: Page, state: 'open' | 'closed'): Promise<void> {
  await page.waitForFunction((wanted) => {
    const box = document.getElementById('main-nav')?.getBoundingClientRect();
    if (!box) return false;
    return wanted === 'open' ? box.left >= 0 : box.right <= 0;
  }, state);
}

/** Reads a file that the page offered as a download when `trigger` ran. */
export async function downloadText(page: Page, trigger: () => Promise<void>): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), trigger()]);
  const stream = await download.createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return { name: download.suggestedFilename(), text: Buffer.concat(chunks).toString('utf8') };
}

/** Waits until the element's visible text matches, and returns it; fails with the last text seen. */
export async function waitForText(locator: Locator, expected: RegExp | string | ((text: string) => boolean), timeoutMs = 15_000): Promise<string> {
  const matches =
    typeof expected === 'function' ? expected : typeof expected === 'string' ? (s: string) => s.includes(expected) : (s: string) => expected.test(s);
  const end = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      last = (await locator.first().innerText({ timeout: 1000 })).trim();
      if (matches(last)) return last;
    } catch {
      // not attached yet
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${locator} to show ${String(expected)}; last text: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
